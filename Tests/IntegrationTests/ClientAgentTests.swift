import CaravanProto
import Foundation
import TestSupport
import Testing

/// clientd end to end: a real serverd schedules, a real clientd runs the tasks with the exec and raw_exec
/// drivers, mounts host volumes, applies restart policies, survives its own `kill -9`, and cleans up.
@Suite("clientd runs allocations for real", .serialized, .timeLimit(.minutes(4)))
struct ClientAgentTests {
    /// The seed talk's mysql example: a group volume from the node's `mysql` host volume, mounted by an exec task.
    static func mysqlJob(command: String, readOnly: Bool = false) -> String {
        """
        job "mysql" {
          datacenters = ["dc1"]
          group "mysql" {
            volume "mysql" {
              type      = "host"
              source    = "mysql"
              read_only = \(readOnly)
            }
            restart {
              attempts = 0
              mode     = "fail"
            }
            task "mysql" {
              driver = "exec"
              volume_mount {
                volume      = "mysql"
                destination = "/var/lib/mysql"
              }
              config {
                command = "/bin/sh"
                args    = ["-c", "\(command)"]
              }
              resources {
                cpu    = 100
                memory = 64
              }
            }
          }
        }
        """
    }

    @Test("mysql host volume: data written by one allocation is read back by the next on the same node")
    func hostVolumeSurvivesAllocations() async throws {
        let volume = try TemporaryDirectory.make(prefix: "caravan-mysql")
        defer { try? FileManager.default.removeItem(atPath: volume) }
        // The operator's part: the task runs as nobody and must be able to write there.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: volume)
        let cluster = try ClientCluster(clientFlags: ["-host-volume", "mysql=\(volume)"])
        defer { cluster.stopAll() }
        try await cluster.start()

        try await cluster.run(
            job: "mysql", Self.mysqlJob(command: "echo row-1 > /var/lib/mysql/table && exec sleep 600"))
        let first = try await cluster.waitForAllocations(job: "mysql") { $0.contains(where: \.isRunning) }
        let written = try await waitForFile("\(volume)/table")
        #expect(written == "row-1\n")
        let stop = try await cluster.ctl(["job", "stop"], ["-detach", "mysql"])
        #expect(stop.status == 0, "\(stop.stderr)")
        _ = try await cluster.waitForAllocations(job: "mysql") { allocs in
            allocs.contains { $0.id == first[0].id && $0.clientStatus == .complete }
        }

        try await cluster.run(job: "mysql", Self.mysqlJob(command: "cat /var/lib/mysql/table && exec sleep 600"))
        let second = try await cluster.waitForAllocations(job: "mysql") { allocs in
            allocs.contains { $0.id != first[0].id && $0.isRunning }
        }
        let next = try #require(second.first { $0.id != first[0].id })
        let output = try await waitForFile(
            "\(cluster.allocRoot)/\(next.id)/alloc/logs/mysql.stdout.0", containing: "row-1")
        #expect(output == "row-1\n")
        _ = try await cluster.ctl(["job", "stop"], ["mysql"])
    }

    @Test("a read-only host volume refuses writes with EROFS and the allocation fails with the reason")
    func readOnlyVolume() async throws {
        let volume = try TemporaryDirectory.make(prefix: "caravan-mysql-ro")
        defer { try? FileManager.default.removeItem(atPath: volume) }
        let cluster = try ClientCluster(clientFlags: ["-host-volume", "mysql=\(volume)"])
        defer { cluster.stopAll() }
        try await cluster.start()

        try await cluster.run(
            job: "mysql", Self.mysqlJob(command: "echo x > /var/lib/mysql/table", readOnly: true))
        let allocs = try await cluster.waitForAllocations(job: "mysql") { $0.contains(where: \.isFinished) }
        let alloc = try #require(allocs.first)
        #expect(alloc.clientStatus == .failed, "\(ClientCluster.summary(alloc))")
        #expect(cluster.log(alloc: alloc.id, task: "mysql", stream: "stderr").contains("Read-only file system"))
        #expect(!FileManager.default.fileExists(atPath: "\(volume)/table"))
        #expect(alloc.events("mysql").contains("Not Restarting"), "\(ClientCluster.summary(alloc))")
    }

    @Test("the restart policy restarts a failing task, then gives up and fails the allocation")
    func restartPolicy() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        try await cluster.run(
            job: "flaky",
            """
            job "flaky" {
              datacenters = ["dc1"]
              type        = "batch"
              group "g" {
                restart {
                  attempts = 2
                  interval = "1h"
                  delay    = "100ms"
                  mode     = "fail"
                }
                reschedule {
                  attempts  = 0
                  unlimited = false
                }
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "echo attempt; exit 3"]
                  }
                }
              }
            }
            """)
        let allocs = try await cluster.waitForAllocations(job: "flaky") { $0.contains(where: \.isFinished) }
        let alloc = try #require(allocs.first)
        #expect(alloc.clientStatus == .failed, "\(ClientCluster.summary(alloc))")
        let state = try #require(alloc.taskStates["t"])
        #expect(state.restarts == 2)
        #expect(state.failed)
        let events = alloc.events("t")
        #expect(events.filter { $0 == "Restarting" }.count == 2, "\(events)")
        #expect(events.last == "Not Restarting", "\(events)")
        #expect(state.events.contains { $0.type == "Terminated" && $0.exitCode == 3 })
        #expect(cluster.log(alloc: alloc.id, task: "t") == "attempt\nattempt\nattempt\n")
    }

    @Test("a task survives kill -9 of clientd, is re-attached, keeps logging, and stops with its job")
    func reattachAfterClientCrash() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        let marker = "caravan-reattach-\(UUID().uuidString.prefix(8))"
        try await cluster.run(
            job: "ticker",
            """
            job "ticker" {
              datacenters = ["dc1"]
              group "g" {
                task "t" {
                  driver      = "raw_exec"
                  kill_signal = "SIGTERM"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "i=0; while true; do echo \(marker) $i; i=$((i+1)); sleep 0.1; done"]
                  }
                }
              }
            }
            """)
        let running = try await cluster.waitForAllocations(job: "ticker") { $0.contains(where: \.isRunning) }
        let alloc = try #require(running.first)
        let logPath = "\(cluster.allocRoot)/\(alloc.id)/alloc/logs/t.stdout.0"
        _ = try await waitForFile(logPath, containing: "\(marker) 3")
        let pids = processes(containing: marker)
        #expect(pids.count == 1, "one task process: \(pids)")

        await cluster.killClient()
        let sizeAfterKill = fileSize(logPath)
        _ = try await waitForFile(logPath) { $0.utf8.count > sizeAfterKill + 20 }
        #expect(processes(containing: marker) == pids, "the task kept running while clientd was down")

        try await cluster.startClient()
        #expect(await cluster.clientProcess?.waitForLine(containing: "re-attached to running task") != nil)
        #expect(processes(containing: marker) == pids, "re-attached, not restarted")
        let full = try await cluster.allocation(alloc.id)
        #expect(full.taskStates["t"]?.restarts == 0)
        #expect(full.taskStates["t"]?.events.filter { $0.type == "Started" }.count == 1)

        // The allocation's files and logs, read through the server from the re-started clientd.
        let logs = try await cluster.ctl(["alloc", "logs"], [String(alloc.id.prefix(8)), "t"])
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.hasPrefix("\(marker) 0\n\(marker) 1\n"), "\(logs.stdout.prefix(200))")
        let listing = try await cluster.ctl(["alloc", "fs"], [alloc.id, "alloc/logs"])
        #expect(listing.status == 0 && listing.stdout.contains("t.stdout.0"), "\(listing.stdout) \(listing.stderr)")
        let secrets = try await cluster.ctl(["alloc", "fs"], [alloc.id, "t/secrets"])
        #expect(secrets.status == 1, "secrets are not browsable: \(secrets.stdout)")

        let stop = try await cluster.ctl(["job", "stop"], ["-detach", "ticker"])
        #expect(stop.status == 0)
        let stopped = try await cluster.waitForAllocations(job: "ticker") { $0.contains(where: \.isFinished) }
        #expect(stopped.first?.clientStatus == .complete, "\(stopped.map(ClientCluster.summary))")
        #expect(
            stopped.first?.events("t").suffix(2) == ["Terminated", "Killed"], "\(stopped.map(ClientCluster.summary))")
        #expect(processes(containing: marker).isEmpty)
    }

    @Test("a command missing from the chroot fails the allocation with the reason instead of leaving it pending")
    func missingCommand() async throws {
        let cluster = try ClientCluster()
        defer { cluster.stopAll() }
        try await cluster.start()
        try await cluster.run(
            job: "bad",
            """
            job "bad" {
              datacenters = ["dc1"]
              type        = "batch"
              group "g" {
                restart {
                  attempts = 0
                  mode     = "fail"
                }
                reschedule {
                  attempts  = 0
                  unlimited = false
                }
                task "t" {
                  driver = "exec"
                  config {
                    command = "/usr/bin/caravan-no-such-command"
                  }
                }
              }
            }
            """)
        let allocs = try await cluster.waitForAllocations(job: "bad") { $0.contains(where: \.isFinished) }
        let alloc = try #require(allocs.first)
        #expect(alloc.clientStatus == .failed)
        let failure = alloc.taskStates["t"]?.events.first { $0.type == "Driver Failure" }
        #expect(failure?.displayMessage.contains("not found") == true, "\(ClientCluster.summary(alloc))")
        #expect(alloc.taskStates["t"]?.failed == true)
    }

    @Test("finished allocations beyond -gc-max-allocs lose their directories")
    func garbageCollection() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec", "-gc-max-allocs", "1"])
        defer { cluster.stopAll() }
        try await cluster.start()
        var ids: [String] = []
        for name in ["one", "two"] {
            try await cluster.run(
                job: name,
                """
                job "\(name)" {
                  datacenters = ["dc1"]
                  type        = "batch"
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/echo"
                        args    = ["\(name)"]
                      }
                    }
                  }
                }
                """)
            let allocs = try await cluster.waitForAllocations(job: name) { $0.contains(where: \.isFinished) }
            #expect(allocs.first?.clientStatus == .complete)
            ids.append(try #require(allocs.first?.id))
        }
        let firstDir = "\(cluster.allocRoot)/\(ids[0])"
        try await waitUntil("\(firstDir) to be removed") { !FileManager.default.fileExists(atPath: firstDir) }
        #expect(FileManager.default.fileExists(atPath: "\(cluster.allocRoot)/\(ids[1])/alloc/logs/t.stdout.0"))
    }

    @Test("SIGTERM: clientd stops cleanly and leaves its tasks running; serverd stops although the node watched it")
    func cleanStops() async throws {
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"])
        defer { cluster.stopAll() }
        try await cluster.start()
        let marker = "caravan-stop-\(UUID().uuidString.prefix(8))"
        try await cluster.run(
            job: "sleeper",
            """
            job "sleeper" {
              datacenters = ["dc1"]
              group "g" {
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "sleep 600; echo \(marker)"]
                  }
                }
              }
            }
            """)
        _ = try await cluster.waitForAllocations(job: "sleeper") { $0.contains(where: \.isRunning) }
        // The server first, while the node's allocation watch is open on it.
        let server = try #require(cluster.servers.process(0))
        #expect(await stopWithin(.seconds(20), server) == 0, "\(server.log.suffix(2000))")
        let client = try #require(cluster.clientProcess)
        #expect(await stopWithin(.seconds(20), client) == 0, "\(client.log)")
        #expect(client.log.contains("stopped"))
        #expect(processes(containing: marker).count == 1, "the task outlives clientd")
    }

    @Test("clientd refuses to start with a host volume path that does not exist, naming it")
    func missingVolumePath() async throws {
        let cluster = try ClientCluster(clientFlags: ["-host-volume", "mysql=/nonexistent/caravan/mysql"])
        defer { cluster.stopAll() }
        try cluster.servers.startAll()
        let process = try DaemonProcess("clientd", cluster.clientArguments)
        #expect(await process.waitForExit() == 1)
        #expect(process.log.contains("host_volume \"mysql\""), "\(process.log)")
        #expect(process.log.contains("/nonexistent/caravan/mysql"), "\(process.log)")
    }

    // MARK: Helpers

    /// SIGTERM, then the exit status; nil if the daemon is still running after `limit`.
    func stopWithin(_ limit: Duration, _ process: DaemonProcess) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await process.stop(signal: SIGTERM) }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// PIDs of processes whose command line contains `text` (excluding shells of this test).
    /// Processes whose command line holds `text`. A child the shell just forked carries the shell's command line
    /// until it execs (`sleep`), so processes whose parent is also a match are left out.
    func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let matches = Set(
            entries.compactMap(Int32.init).filter { pid in
                let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                return command.contains(text) && pid != getpid()
            })
        return matches.filter { pid in
            guard let parent = parentPID(of: pid) else { return true }
            return !matches.contains(parent)
        }.sorted()
    }

    /// The fourth field of /proc/<pid>/stat (after the parenthesised command name, which may hold spaces).
    func parentPID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }
}
