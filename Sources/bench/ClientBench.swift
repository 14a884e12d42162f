import ArgumentParser
import CaravanDaemon
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import SwiftProtobuf

/// How fast one clientd turns placed allocations into running exec tasks, and what that costs in memory: one
/// serverd and one clientd on loopback, one job of -allocs allocations of a trivial exec task (`sleep`).
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Allocations started per second by one clientd, and its memory (needs root for exec).",
        discussion: """
            Starts one serverd and one clientd, submits one service job of -allocs allocations of an exec task \
            running `sleep 3600` (10 MHz, 16 MB each), and reports the time from submission until the servers \
            hear that every allocation runs, allocations started per second, clientd's resident memory, and \
            the resident memory of one task's executor. Then it stops the job and reports how long stopping \
            every allocation took.
            """
    )

    @Option(name: .hashicorp("allocs"), help: "Allocations to start.") var allocs = 100
    @Option(name: .hashicorp("driver"), help: "exec (isolated, needs root) or raw_exec.") var driver = "exec"
    @Option(name: .hashicorp("bin"), help: "Directory holding serverd, clientd and executor.") var bin: String?
    @Option(name: .hashicorp("timeout"), help: "Give up after this many seconds of waiting.") var timeout = 300.0
    @Flag(name: .hashicorp("keep-data"), help: "Keep the temporary directory with data and logs.") var keepData = false
    @Flag(name: .hashicorp("json")) var json = false

    func validate() throws {
        guard allocs >= 1, timeout > 0 else { throw ValidationError("-allocs and -timeout must be positive") }
        guard driver == "exec" || driver == "raw_exec" else { throw ValidationError("-driver: exec or raw_exec") }
    }

    func run() async throws {
        let certificates = try BenchCertificates()
        defer { certificates.remove() }
        let daemons = try LocalDaemons(prefix: "caravan-bench-client", keep: keepData)
        daemons.removeOnStop(certificates.directory)
        let binDirectory = bin ?? RaftBench.executableDirectory
        var results: [BenchResult] = []
        do {
            let (server, clientd) = try await start(binDirectory, certificates, daemons)
            results = try await measure(server: server, clientd: clientd, certificates)
        } catch {
            for line in daemons.stop() { RaftBenchPlan.note(line) }
            throw error
        }
        for line in daemons.stop() { RaftBenchPlan.note(line) }
        BenchResult.print(results, json: json)
    }

    func start(_ binDirectory: String, _ certificates: BenchCertificates, _ daemons: LocalDaemons) async throws
        -> (HostPort, LocalDaemons.Daemon)
    {
        let ports = try FreePorts.pick(4)
        let tls = certificates.directory
        _ = try daemons.start(
            name: "serverd", executable: binDirectory + "/serverd",
            arguments: [
                "-bind", "127.0.0.1", "-node", "server-0", "-data-dir", "\(daemons.directory)/server",
                "-rpc-port", "\(ports[0])", "-raft-port", "\(ports[1])", "-http-port", "\(ports[2])",
                "-bootstrap-expect", "1", "-ca-file", "\(tls)/ca.pem", "-cert-file", "\(tls)/server.pem",
                "-key-file", "\(tls)/server-key.pem",
            ])
        let server = HostPort(host: "127.0.0.1", port: ports[0])
        let clientd = try daemons.start(
            name: "clientd", executable: binDirectory + "/clientd",
            arguments: [
                "-bind", "127.0.0.1", "-node", "bench-client", "-data-dir", "\(daemons.directory)/client",
                "-port", "\(ports[3])", "-servers", server.description, "-enable-raw-exec",
                "-ca-file", "\(tls)/ca.pem", "-cert-file", "\(tls)/client.pem", "-key-file", "\(tls)/client-key.pem",
            ])
        let dialer = RPCDialer(tls: try certificates.material("cli"), callTimeout: .seconds(30))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let ready = try? await dialer.withClient(server) { client in
                try await Caravan_V1_Nodes.Client(wrapping: client).list(.init()).nodes.contains { $0.status == .ready }
            }
            if ready == true { return (server, clientd) }
            if !daemons.exited().isEmpty { throw BenchError(daemons.exited().joined(separator: "\n")) }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError("clientd did not register within 60 s")
    }

    func measure(server: HostPort, clientd: LocalDaemons.Daemon, _ certificates: BenchCertificates) async throws
        -> [BenchResult]
    {
        let dialer = RPCDialer(tls: try certificates.material("cli"), callTimeout: .seconds(60))
        let rssBefore = Self.residentKB(clientd.process.processIdentifier)
        let submitted = ContinuousClock.now
        _ = try await dialer.withClient(server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).register(.with { $0.job = job() })
        }
        let started = try await waitFor(dialer: dialer, server: server) { $0 == .running }
        let startTime = started - submitted
        let rssRunning = Self.residentKB(clientd.process.processIdentifier)
        let executorRSS = Self.executorResidentKB()
        let stopping = ContinuousClock.now
        _ = try await dialer.withClient(server) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).deregister(.with { $0.jobID = "bench-client" })
        }
        let stopped = try await waitFor(dialer: dialer, server: server) { $0 == .complete || $0 == .failed }
        return [
            BenchResult(name: "time to all running", value: startTime.seconds, unit: "s"),
            BenchResult(
                name: "allocations started per second", value: Double(allocs) / startTime.seconds, unit: "allocs/s"),
            BenchResult(name: "clientd RSS before", value: Double(rssBefore) / 1024, unit: "MiB"),
            BenchResult(name: "clientd RSS with allocations running", value: Double(rssRunning) / 1024, unit: "MiB"),
            BenchResult(name: "executor RSS (median)", value: Double(executorRSS) / 1024, unit: "MiB"),
            BenchResult(name: "time to all stopped", value: (stopped - stopping).seconds, unit: "s"),
        ]
    }

    func job() -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = "bench-client"
        job.type = .service
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "g"
        group.count = Int32(allocs)
        var task = Caravan_V1_Task()
        task.name = "t"
        task.driver = driver
        task.config = .init(fields: [
            "command": .init(stringValue: "/bin/sleep"),
            "args": .init(listValue: .init(values: [.init(stringValue: "3600")])),
        ])
        task.resources.cpuMhz = 10
        task.resources.memoryMb = 16
        task.killSignal = "SIGKILL"
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }

    /// Waits until every allocation of the job has a client status satisfying `done`; returns when.
    func waitFor(
        dialer: RPCDialer, server: HostPort, _ done: @escaping @Sendable (Caravan_V1_AllocClientStatus) -> Bool
    ) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var index: UInt64 = 0
        let expected = allocs
        while ContinuousClock.now < deadline {
            let response = try await dialer.withClient(server) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).allocations(
                    .with {
                        $0.jobID = "bench-client"
                        $0.query.minIndex = index
                        $0.query.maxWait = Google_Protobuf_Duration(seconds: 5)
                    })
            }
            let matching = response.allocations.filter { done($0.clientStatus) }.count
            if matching >= expected { return ContinuousClock.now }
            if response.allocations.contains(where: { $0.clientStatus == .failed }), !done(.failed) {
                let failed = response.allocations.first { $0.clientStatus == .failed }
                let events = failed?.taskStates.values.flatMap { $0.events.map(\.displayMessage) } ?? []
                throw BenchError("an allocation failed: \(events.joined(separator: "; "))")
            }
            index = response.meta.index
        }
        throw BenchError("allocations did not get there within \(timeout) s")
    }

    /// VmRSS of a process in KiB (0 when unknown).
    static func residentKB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// The median VmRSS of the running executors (their command line is `executor <state-dir>`).
    static func executorResidentKB() -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let sizes = entries.compactMap(Int32.init).filter { pid in
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return command.split(separator: "\0").first?.hasSuffix("/executor") == true
        }.map(residentKB).sorted()
        return sizes.isEmpty ? 0 : sizes[sizes.count / 2]
    }
}
