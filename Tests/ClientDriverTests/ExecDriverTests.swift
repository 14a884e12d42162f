import ClientDrivers
import Foundation
import TaskExecutor
import TestSupport
import Testing

@Suite("exec driver")
struct ExecDriverTests {
    let driver = ExecDriver(executorPath: TaskFixture.executorPath)

    @Test("exec is detected and healthy on a Linux host with cgroups, as root")
    func fingerprint() {
        let info = driver.fingerprint()
        #expect(info.detected)
        #expect(info.healthy, "\(info.healthDescription)")
        #expect(info.attributes["driver.exec"] == "1")
    }

    @Test("the task has its own PID namespace, chroot, hostname and user, and no mount reaches the host")
    func isolation() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        // A file on the host outside the task dir, at a path the task can name.
        let outside = fixture.root + "/outside-secret"
        _ = FileManager.default.createFile(atPath: outside, contents: Data("secret".utf8))
        let script = """
            echo "pid=$$"
            echo "procs=$(ls /proc | grep -c '^[0-9]')"
            echo "init=$(tr '\\0' ' ' < /proc/1/cmdline)"
            echo "uid=$(id -u)"
            echo "host=$(hostname)"
            if [ -e \(outside) ]; then echo "outside=visible"; else echo "outside=hidden"; fi
            echo "alloc=$(ls -d /alloc/logs)"
            touch /local/ok && echo "local=writable"
            echo "usr=$(grep ' /usr ' /proc/mounts | cut -d ' ' -f 4 | cut -d , -f 1)"
            echo ready
            while [ ! -e /local/go ]; do sleep 0.05; done
            """
        let handle = try await driver.start(fixture.launch("/bin/sh", ["-c", script]), stateDir: fixture.stateDir)
        #expect(await fixture.waitForLog("stdout", containing: "ready"))
        // While it runs, its mounts stay in its own namespace.
        #expect(hostMounts(mentioning: fixture.root) == [])
        #expect(driver.isRunning(handle))
        _ = FileManager.default.createFile(atPath: fixture.taskDir + "/local/go", contents: nil)
        let exit = await driver.wait(handle)
        #expect(exit.succeeded, "\(exit) \(fixture.log("stderr"))")

        let output = lines(fixture.log("stdout"))
        #expect(output.contains("pid=2"))
        let procs = output.first { $0.hasPrefix("procs=") }.flatMap { Int($0.dropFirst(6)) } ?? 1000
        #expect(procs <= 6, "only the task's processes are visible: \(output)")
        #expect(output.first { $0.hasPrefix("init=") }?.contains("--init") == true)
        #expect(output.contains("uid=65534"))
        #expect(output.contains("host=\(fixture.allocID.prefix(8))"))
        #expect(output.contains("outside=hidden"))
        #expect(output.contains("alloc=/alloc/logs"))
        #expect(output.contains("local=writable"))
        #expect(output.contains("usr=ro"), "host system dirs are read-only: \(output)")
        #expect(FileManager.default.fileExists(atPath: fixture.taskDir + "/local/ok"))
        #expect(hostMounts(mentioning: fixture.root) == [])
        driver.destroy(handle)
        for path in handle.cgroupPaths { #expect(!FileManager.default.fileExists(atPath: path)) }
    }

    @Test("a configured user is used and an unknown user fails the start")
    func configuredUser() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let handle = try await driver.start(
            fixture.launch("id", ["-u"], user: "daemon"), stateDir: fixture.stateDir)
        #expect(await driver.wait(handle).succeeded)
        #expect(fixture.log("stdout") == "1\n")
        driver.destroy(handle)
        await #expect(throws: DriverError.startFailed("user \"ghost\" not found")) {
            try await driver.start(fixture.launch("id", user: "ghost"), stateDir: fixture.stateDir)
        }
        await #expect(throws: DriverError.startFailed("exec: \"nosuch\": not found")) {
            try await driver.start(fixture.launch("nosuch"), stateDir: fixture.stateDir)
        }
    }

    @Test("a task above its memory limit is OOM-killed and reported as such")
    func oomKilled() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let script = "echo ready; while [ ! -e /local/go ]; do sleep 0.05; done; head -c 200000000 /dev/zero | tail"
        var launch = fixture.launch("/bin/sh", ["-c", script])
        launch.memoryMB = 32
        launch.cpuMHz = 500
        let handle = try await driver.start(launch, stateDir: fixture.stateDir)
        #expect(await fixture.waitForLog("stdout", containing: "ready"))
        // While it waits: the limits are written and the task is in its cgroups.
        let memory = try #require(handle.cgroupPaths.first { $0.contains("/memory/") })
        let cpu = try #require(handle.cgroupPaths.first { $0.contains("/cpu/") })
        let limit = try String(contentsOfFile: memory + "/memory.limit_in_bytes", encoding: .utf8)
        #expect(limit.trimmingCharacters(in: .whitespacesAndNewlines) == String(32 * 1024 * 1024))
        let shares = try String(contentsOfFile: cpu + "/cpu.shares", encoding: .utf8)
        #expect(shares.trimmingCharacters(in: .whitespacesAndNewlines) == "500")
        let members = try String(contentsOfFile: memory + "/cgroup.procs", encoding: .utf8)
        #expect(lines(members).contains(String(handle.taskPID)))
        _ = FileManager.default.createFile(atPath: fixture.taskDir + "/local/go", contents: nil)
        let exit = await driver.wait(handle)
        #expect(exit.oomKilled, "\(exit)")
        #expect(!exit.succeeded)
        driver.destroy(handle)

        let small = try await driver.start(fixture.launch("/bin/true"), stateDir: fixture.stateDir)
        let fine = await driver.wait(small)
        #expect(fine.succeeded && !fine.oomKilled)
        driver.destroy(small)
    }

    @Test("host volumes are mounted read-write or read-only at their destinations")
    func volumes() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let writable = fixture.root + "/volume-rw"
        let readOnly = fixture.root + "/volume-ro"
        for dir in [writable, readOnly] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o777)
        }
        _ = FileManager.default.createFile(atPath: readOnly + "/present", contents: Data("here\n".utf8))
        var launch = fixture.launch(
            "/bin/sh", ["-c", "echo hello > /data/rw/out.txt; cat /data/ro/present; echo nope > /data/ro/out.txt"])
        launch.mounts = [
            TaskMount(hostPath: writable, destination: "/data/rw", readOnly: false),
            TaskMount(hostPath: readOnly, destination: "/data/ro", readOnly: true),
        ]
        let handle = try await driver.start(launch, stateDir: fixture.stateDir)
        let exit = await driver.wait(handle)
        #expect(exit.exitCode != 0)
        #expect(try String(contentsOfFile: writable + "/out.txt", encoding: .utf8) == "hello\n")
        #expect(fixture.log("stdout") == "here\n")
        #expect(fixture.log("stderr").contains("Read-only file system"), "\(fixture.log("stderr"))")
        #expect(!FileManager.default.fileExists(atPath: readOnly + "/out.txt"))
        #expect(hostMounts(mentioning: fixture.root) == [])
        driver.destroy(handle)
    }

    @Test("a volume destination through a symlink in the task dir is refused")
    func volumeThroughSymlink() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let target = fixture.root + "/elsewhere"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        symlink(target, fixture.taskDir + "/local/link")
        var launch = fixture.launch("/bin/true")
        launch.mounts = [TaskMount(hostPath: fixture.root, destination: "/local/link/x", readOnly: true)]
        await #expect(throws: DriverError.startFailed("volume destination \"/local/link/x\" passes through a symlink"))
        {
            try await driver.start(launch, stateDir: fixture.stateDir)
        }
        #expect(!FileManager.default.fileExists(atPath: target + "/x"))
    }
}

@Suite("exec networking")
struct ExecNetworkTests {
    @Test("a task joins the network namespace it is given")
    func joinsNetworkNamespace() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let name = "caravan-test-\(fixture.allocID.prefix(8))"
        let added = try await runCommand("/usr/sbin/ip", ["netns", "add", name])
        try #require(added.status == 0, "\(added.stderr)")
        defer { _ = try? FileManager.default.removeItem(atPath: "/var/run/netns/\(name)") }
        let driver = ExecDriver(executorPath: TaskFixture.executorPath)
        var launch = fixture.launch("/bin/cat", ["/proc/net/dev"])
        launch.networkNamespacePath = "/var/run/netns/\(name)"
        let handle = try await driver.start(launch, stateDir: fixture.stateDir)
        #expect(await driver.wait(handle).succeeded)
        // A new namespace has only its loopback device (the two other lines are headers).
        let interfaces = lines(fixture.log("stdout")).dropFirst(2).map {
            $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) ?? ""
        }
        #expect(interfaces == ["lo"])
        driver.destroy(handle)
        _ = try await runCommand("/usr/sbin/ip", ["netns", "delete", name])
    }
}
