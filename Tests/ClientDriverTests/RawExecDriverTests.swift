import ClientDrivers
import Foundation
import TaskExecutor
import Testing

@Suite("raw_exec driver")
struct RawExecDriverTests {
    let driver = RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath)

    @Test("stdout and stderr land in the task's log files and the exit code is reported")
    func logsAndExitCode() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let handle = try await driver.start(
            fixture.launch("/bin/sh", ["-c", "echo out-line; echo err-line >&2; exit 7"]), stateDir: fixture.stateDir)
        #expect(handle.taskPID > 0)
        #expect(handle.driver == "raw_exec")
        let exit = await driver.wait(handle)
        #expect(exit.exitCode == 7)
        #expect(exit.signal == 0)
        #expect(exit.error == nil)
        #expect(fixture.log("stdout") == "out-line\n")
        #expect(fixture.log("stderr") == "err-line\n")
        #expect(!driver.isRunning(handle))
        driver.destroy(handle)
        #expect(!FileManager.default.fileExists(atPath: fixture.stateDir))
    }

    @Test("the task's environment is exactly the one given, and it starts in the task dir")
    func exactEnvironment() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let launch = fixture.launch("/usr/bin/env", env: ["A": "1", "B": "two words"])
        let handle = try await driver.start(launch, stateDir: fixture.stateDir)
        let exit = await driver.wait(handle)
        #expect(exit.succeeded)
        #expect(lines(fixture.log("stdout")).sorted() == ["A=1", "B=two words"])

        let pwd = try await driver.start(fixture.launch("/bin/pwd"), stateDir: fixture.stateDir)
        #expect(await driver.wait(pwd).succeeded)
        #expect(fixture.log("stdout").hasSuffix("\(fixture.taskDir)\n"))
        driver.destroy(pwd)
    }

    @Test("a command that is not there fails the start with the reason")
    func commandNotFound() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        await #expect(throws: DriverError.startFailed("exec: \"nosuch-command\": not found")) {
            try await driver.start(fixture.launch("nosuch-command"), stateDir: fixture.stateDir)
        }
        _ = FileManager.default.createFile(atPath: fixture.taskDir + "/local/script", contents: Data("echo\n".utf8))
        await #expect(throws: DriverError.startFailed("exec: \"local/script\": not executable")) {
            try await driver.start(fixture.launch("local/script"), stateDir: fixture.stateDir)
        }
        // The failure is also recorded where a re-attaching client would look.
        let recorded = ExecutorFiles.read(TaskExit.self, from: ExecutorFiles.exit(fixture.stateDir))
        #expect(recorded?.error == "exec: \"local/script\": not executable")
    }

    @Test("raw_exec refuses volume mounts")
    func refusesMounts() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        var launch = fixture.launch("/bin/true")
        launch.mounts = [TaskMount(hostPath: fixture.root, destination: "/data", readOnly: false)]
        await #expect(throws: DriverError.self) { try await driver.start(launch, stateDir: fixture.stateDir) }
    }

    @Test("a disabled raw_exec is not detected and says how to enable it")
    func disabled() async throws {
        let disabled = RawExecDriver(enabled: false, executorPath: TaskFixture.executorPath)
        let info = disabled.fingerprint()
        #expect(!info.detected)
        #expect(!info.healthy)
        #expect(info.healthDescription.contains("plugin \"raw_exec\" { config { enabled = true } }"))
        #expect(driver.fingerprint().detected && driver.fingerprint().healthy)
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        await #expect {
            try await disabled.start(fixture.launch("/bin/true"), stateDir: fixture.stateDir)
        } throws: { error in
            guard case DriverError.unavailable = error else { return false }
            return true
        }
    }

    @Test("a task runs as the configured user")
    func configuredUser() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let handle = try await driver.start(
            fixture.launch("/usr/bin/id", ["-u"], user: "daemon"), stateDir: fixture.stateDir)
        #expect(await driver.wait(handle).succeeded)
        #expect(fixture.log("stdout") == "1\n")
        await #expect(throws: DriverError.startFailed("user \"no-such-user\" not found")) {
            try await driver.start(fixture.launch("/bin/true", user: "no-such-user"), stateDir: fixture.stateDir)
        }
    }
}
