import ClientDrivers
import Foundation
import TaskExecutor
import Testing

/// Both drivers, for tests that must hold for each.
let allDrivers: [any TaskDriver] = [
    RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath),
    ExecDriver(executorPath: TaskFixture.executorPath),
]

@Suite("stopping and re-attaching")
struct StopTests {
    @Test("a task that traps the kill signal gets it and exits its own way", arguments: allDrivers.map(\.name))
    func trappedSignal(driverName: String) async throws {
        let driver = try #require(allDrivers.first { $0.name == driverName })
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let script = "trap 'echo got term; exit 3' TERM; echo ready; while :; do sleep 0.05; done"
        let handle = try await driver.start(fixture.launch("/bin/sh", ["-c", script]), stateDir: fixture.stateDir)
        #expect(await fixture.waitForLog("stdout", containing: "ready"))
        let exit = await driver.stop(handle, signal: SIGTERM, timeout: .seconds(20))
        #expect(exit.exitCode == 3, "\(exit)")
        #expect(exit.signal == 0)
        #expect(fixture.log("stdout").contains("got term"))
        driver.destroy(handle)
    }

    @Test("a task without a handler dies of the kill signal, also under exec", arguments: allDrivers.map(\.name))
    func defaultSignal(driverName: String) async throws {
        let driver = try #require(allDrivers.first { $0.name == driverName })
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let handle = try await driver.start(fixture.launch("/bin/sleep", ["1000"]), stateDir: fixture.stateDir)
        let exit = await driver.stop(handle, signal: SIGINT, timeout: .seconds(20))
        #expect(exit.signal == SIGINT, "\(exit)")
        driver.destroy(handle)
    }

    @Test("a task ignoring the kill signal is SIGKILLed after the timeout", arguments: allDrivers.map(\.name))
    func ignoredSignal(driverName: String) async throws {
        let driver = try #require(allDrivers.first { $0.name == driverName })
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let script = "trap '' TERM; echo ready; while :; do sleep 0.05; done"
        let handle = try await driver.start(fixture.launch("/bin/sh", ["-c", script]), stateDir: fixture.stateDir)
        #expect(await fixture.waitForLog("stdout", containing: "ready"))
        let started = ContinuousClock.now
        let exit = await driver.stop(handle, signal: SIGTERM, timeout: .seconds(1))
        let took = ContinuousClock.now - started
        #expect(exit.signal == SIGKILL, "\(exit)")
        #expect(took >= .seconds(1))
        // Generous: the whole suite shares two cores; what matters is that SIGKILL came after the timeout.
        #expect(took < .seconds(30), "stop took \(took)")
        #expect(!driver.isRunning(handle))
        driver.destroy(handle)
    }

    @Test("a fresh driver finds a running task by its handle and waits for it", arguments: allDrivers.map(\.name))
    func reattach(driverName: String) async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let goFile = driverName == "exec" ? "/local/go" : "local/go"
        let script = "echo ready; while [ ! -e \(goFile) ]; do sleep 0.05; done; exit 4"
        var saved = Data()
        do {
            let first = try #require(allDrivers.first { $0.name == driverName })
            let handle = try await first.start(fixture.launch("/bin/sh", ["-c", script]), stateDir: fixture.stateDir)
            saved = try JSONEncoder().encode(handle)
        }
        // As after a clientd restart: a new driver and the handle read back from disk.
        let handle = try JSONDecoder().decode(TaskHandle.self, from: saved)
        let driver: any TaskDriver =
            driverName == "exec"
            ? ExecDriver(executorPath: TaskFixture.executorPath)
            : RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath)
        #expect(driver.isRunning(handle))
        // Detached from us: its own session, so a kill of the client's process group does not reach it.
        #expect(ProcStat.read(handle.executorPID)?.session == handle.executorPID)
        #expect(await fixture.waitForLog("stdout", containing: "ready"))
        _ = FileManager.default.createFile(atPath: fixture.taskDir + "/local/go", contents: nil)
        let exit = await driver.wait(handle)
        #expect(exit.exitCode == 4, "\(exit)")
        #expect(!driver.isRunning(handle))
        driver.destroy(handle)
    }

    @Test("a handle whose executor is gone or whose PID was reused is not running")
    func staleHandles() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let driver = RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath)
        let me = try #require(ProcStat.read(getpid()))
        let reused = TaskHandle(
            driver: "raw_exec", executorPID: getpid(), executorStartTicks: me.startTicks + 1, taskPID: 0,
            stateDir: fixture.stateDir)
        #expect(!driver.isRunning(reused))
        let exit = await driver.wait(reused)
        #expect(exit.error == "executor exited unexpectedly")
        var unused: Int32 = 4_000_000
        while ProcStat.read(unused) != nil { unused -= 1 }
        let gone = TaskHandle(
            driver: "raw_exec", executorPID: unused, executorStartTicks: 1, taskPID: 0, stateDir: fixture.stateDir)
        #expect(!driver.isRunning(gone))
        #expect(throws: DriverError.self) { try driver.signal(gone, SIGTERM) }
    }

    @Test("an executor killed without writing its exit is reported, and its task is killed")
    func executorKilled() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let driver = RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath)
        let handle = try await driver.start(fixture.launch("/bin/sleep", ["1000"]), stateDir: fixture.stateDir)
        let task = try #require(ProcStat.read(handle.taskPID))
        kill(handle.executorPID, SIGKILL)
        let exit = await driver.wait(handle)
        #expect(exit.error == "executor exited unexpectedly")
        // The orphaned task was killed (it may linger as a zombie until its new parent reaps it).
        let after = ProcStat.read(handle.taskPID)
        #expect(after == nil || after?.startTicks != task.startTicks || after?.state == "Z")
        driver.destroy(handle)
    }
}

@Suite("leftover processes")
struct LeftoverTests {
    @Test(
        "background processes die with the task instead of holding its output open", arguments: allDrivers.map(\.name))
    func backgroundChildrenKilled(driverName: String) async throws {
        let driver = try #require(allDrivers.first { $0.name == driverName })
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let handle = try await driver.start(
            fixture.launch("/bin/sh", ["-c", "sleep 1000 & echo background started"]), stateDir: fixture.stateDir)
        let exit = await driver.wait(handle)
        #expect(exit.succeeded, "\(exit)")
        // The leftover was killed rather than left holding the output open (checked below), so the executor's
        // 5 s output drain did not have to run out.
        #expect(fixture.log("stdout") == "background started\n")
        #expect(handle.taskPID > 0)
        let leftovers = ProcStat.all().filter { $0.session == handle.taskPID && $0.state != "Z" }
        #expect(leftovers.isEmpty, "\(leftovers)")
        driver.destroy(handle)
    }
}
