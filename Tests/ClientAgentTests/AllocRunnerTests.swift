import CaravanProto
import ClientDrivers
import ClientFS
import Foundation
import Logging
import SwiftProtobuf
import Synchronization
import TaskExecutor
import TestSupport
import Testing

@testable import ClientAgent

/// The allocation and task runners driven through the allocation manager with an in-memory driver: lifecycle
/// order, restart policy, sibling failure, stops, re-attachment after a restart, and garbage collection. The real
/// drivers and a real clientd are covered by ClientDriverTests and the integration tests.
@Suite("alloc runner, task runner and alloc manager", .serialized, .timeLimit(.minutes(1)))
struct AllocRunnerTests {
    /// Everything a manager needs, in a temporary directory.
    final class Rig: Sendable {
        let root: String
        let driver = FakeDriver()
        let store: ClientStateStore
        let reports = Reports()
        let gcMaxAllocs: Int

        init(gcMaxAllocs: Int = 50) throws {
            root = try TemporaryDirectory.make(prefix: "caravan-runner")
            store = try ClientStateStore(directory: root + "/client")
            self.gcMaxAllocs = gcMaxAllocs
        }

        var allocRoot: String { root + "/alloc" }

        func manager() -> AllocManager {
            let factory = AllocRunnerFactory(
                node: Caravan_V1_Node.with {
                    $0.id = "node-1"; $0.datacenter = "dc1"
                }, region: "global",
                drivers: ["fake": driver], store: store, allocRoot: allocRoot, taskStateRoot: root + "/client/tasks",
                hostVolumes: [:], network: nil, logger: Logger(label: "test"))
            let reports = self.reports
            return AllocManager(
                store: store, allocRoot: allocRoot, gcMaxAllocs: gcMaxAllocs, logger: Logger(label: "test"),
                reporter: { reports.add($0) },
                makeRunner: { allocation, manager in factory.makeRunner(allocation, manager: manager) })
        }

        func cleanup() {
            MountTable.detachAll(under: root)
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// The updates the runners report, awaitable.
    final class Reports: Sendable {
        private let state = Mutex<
            (
                [Caravan_V1_AllocClientUpdate],
                [(
                    @Sendable (Caravan_V1_AllocClientUpdate) -> Bool,
                    CheckedContinuation<Caravan_V1_AllocClientUpdate, Never>
                )]
            )
        >(([], []))

        func add(_ update: Caravan_V1_AllocClientUpdate) {
            let ready = state.withLock { state in
                state.0.append(update)
                let matching = state.1.filter { $0.0(update) }
                state.1.removeAll { $0.0(update) }
                return matching.map(\.1)
            }
            for waiter in ready { waiter.resume(returning: update) }
        }

        /// The first report (past or future) satisfying `predicate`.
        func first(_ predicate: @escaping @Sendable (Caravan_V1_AllocClientUpdate) -> Bool) async
            -> Caravan_V1_AllocClientUpdate
        {
            await withCheckedContinuation { continuation in
                let found = state.withLock { state -> Caravan_V1_AllocClientUpdate? in
                    if let found = state.0.first(where: predicate) { return found }
                    state.1.append((predicate, continuation))
                    return nil
                }
                if let found { continuation.resume(returning: found) }
            }
        }

        func status(_ status: Caravan_V1_AllocClientStatus) async -> Caravan_V1_AllocClientUpdate {
            await first { $0.clientStatus == status }
        }
    }

    static func task(
        _ name: String, hook: Caravan_V1_TaskLifecycle.Hook? = nil, sidecar: Bool = false
    ) -> Caravan_V1_Task {
        Caravan_V1_Task.with {
            $0.name = name
            $0.driver = "fake"
            $0.config = .init(fields: ["command": .init(stringValue: "/bin/\(name)")])
            if let hook {
                $0.lifecycle = .with {
                    $0.hook = hook
                    $0.sidecar = sidecar
                }
            }
        }
    }

    static func allocation(
        _ tasks: [Caravan_V1_Task], type: Caravan_V1_JobType = .batch, attempts: Int32 = 0,
        id: String = UUID().uuidString.lowercased()
    ) -> Caravan_V1_Allocation {
        Caravan_V1_Allocation.with {
            $0.id = id
            $0.name = "job.g[0]"
            $0.jobID = "job"
            $0.taskGroup = "g"
            $0.desiredStatus = .run
            $0.job = .with {
                $0.id = "job"
                $0.type = type
                $0.taskGroups = [
                    .with {
                        $0.name = "g"
                        $0.tasks = tasks
                        $0.restartPolicy = .with {
                            $0.attempts = attempts
                            $0.interval = Google_Protobuf_Duration(seconds: 3600)
                            $0.delay = Google_Protobuf_Duration(seconds: 0)
                            $0.mode = .fail
                        }
                    }
                ]
            }
        }
    }

    static func frame(_ allocations: [Caravan_V1_Allocation], snapshot: Bool = true) -> Caravan_V1_AllocationUpdates {
        .with {
            $0.snapshot = snapshot
            $0.allocations = allocations
        }
    }

    @Test("a batch task that exits 0 completes its allocation; the launch carries Nomad's environment")
    func batchCompletes() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        let alloc = Self.allocation([Self.task("work")])
        await manager.apply(Self.frame([alloc]))
        await rig.driver.waitForStart(of: "work")
        #expect(await rig.reports.status(.running).taskStates["work"]?.state == .running)
        rig.driver.finish("work", TaskExit(exitCode: 0))
        let done = await rig.reports.status(.complete)
        #expect(done.taskStates["work"]?.events.map(\.type) == ["Received", "Task Setup", "Started", "Terminated"])
        let launch = try #require(rig.driver.launches.first)
        #expect(launch.env["NOMAD_ALLOC_ID"] == alloc.id)
        #expect(launch.env["NOMAD_TASK_NAME"] == "work")
        #expect(launch.command == "/bin/work")
        #expect(launch.logDir == "\(rig.allocRoot)/\(alloc.id)/alloc/logs")
    }

    /// A service allocation in a deployment, judged with min_healthy_time = 0.2s.
    static func deployed(_ tasks: [Caravan_V1_Task]) -> Caravan_V1_Allocation {
        var alloc = Self.allocation(tasks, type: .service)
        alloc.deploymentID = "d1"
        alloc.deploymentStatus.canary = true
        alloc.job.taskGroups[0].update = .with {
            $0.healthCheck = "task_states"
            $0.minHealthyTime = Google_Protobuf_Duration(seconds: 0, nanos: 200_000_000)
            $0.healthyDeadline = Google_Protobuf_Duration(seconds: 30)
        }
        return alloc
    }

    @Test("a deployed allocation is reported healthy once its task ran min_healthy_time, keeping its canary flag")
    func reportsHealthy() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        await manager.apply(Self.frame([Self.deployed([Self.task("web")])]))
        await rig.driver.waitForStart(of: "web")
        let healthy = await rig.reports.first { $0.deploymentStatus.hasHealthy }
        #expect(healthy.deploymentStatus.healthy)
        #expect(healthy.deploymentStatus.canary)
        #expect(healthy.clientStatus == .running)
        let started = try #require(healthy.taskStates["web"]?.startedAt.date)
        #expect(healthy.deploymentStatus.timestamp.date.timeIntervalSince(started) >= 0.2)
    }

    @Test("a deployed allocation whose task fails is reported unhealthy, with an Alloc Unhealthy event")
    func reportsUnhealthy() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        await manager.apply(Self.frame([Self.deployed([Self.task("web")])]))
        await rig.driver.waitForStart(of: "web")
        rig.driver.finish("web", TaskExit(exitCode: 3))
        let unhealthy = await rig.reports.first { $0.deploymentStatus.hasHealthy }
        #expect(unhealthy.deploymentStatus.healthy == false)
        let noted = await rig.reports.first { update in
            update.taskStates["web"]?.events.contains { $0.type == "Alloc Unhealthy" } == true
        }
        let event = try #require(noted.taskStates["web"]?.events.last { $0.type == "Alloc Unhealthy" })
        #expect(event.displayMessage == "Unhealthy because of failed task \"web\"")
        #expect(noted.deploymentStatus.healthy == false, "the decision stays with every later report")
    }

    @Test("a failing task is restarted within its policy, then not restarted, and the allocation fails")
    func restartPolicy() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        await manager.apply(Self.frame([Self.allocation([Self.task("work")], attempts: 1)]))
        await rig.driver.waitForStart(of: "work")
        rig.driver.finish("work", TaskExit(exitCode: 1))
        await rig.driver.waitForStart(of: "work", count: 2)
        rig.driver.finish("work", TaskExit(exitCode: 1))
        let failed = await rig.reports.status(.failed)
        let state = try #require(failed.taskStates["work"])
        #expect(state.restarts == 1)
        #expect(state.failed)
        let types: [String] = state.events.map(\.type)
        #expect(types.filter { $0 == "Restarting" }.count == 1)
        #expect(state.events.last?.type == "Not Restarting")
    }

    @Test("an invalid driver config fails the task at once, without restarts")
    func invalidConfig() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        var task = Self.task("work")
        task.config.fields["bogus"] = .init(numberValue: 1)
        await manager.apply(Self.frame([Self.allocation([task], attempts: 5)]))
        let failed = await rig.reports.status(.failed)
        let events = failed.taskStates["work"]?.events ?? []
        #expect(events.contains { $0.type == "Setup Failure" && $0.displayMessage.contains("unknown key \"bogus\"") })
        #expect(rig.driver.started("work") == 0)
    }

    @Test("an allocation directory that cannot be built fails the allocation with the reason, never pending")
    func unbuildableAllocDir() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        // A file where the allocation root should be: nothing can be created under it.
        FileManager.default.createFile(atPath: rig.allocRoot, contents: Data("not a directory".utf8))
        let manager = rig.manager()
        await manager.apply(Self.frame([Self.allocation([Self.task("work")])]))
        let failed = await rig.reports.status(.failed)
        #expect(failed.clientDescription.contains("cannot build the allocation directory"), "\(failed)")
        #expect(failed.taskStates["work"]?.events.first?.type == "Setup Failure")
        #expect(rig.driver.started("work") == 0)
    }

    @Test("an unknown kill_signal is a setup failure, not a silent SIGINT")
    func unknownKillSignal() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        var task = Self.task("work")
        task.killSignal = "SIGBOGUS"
        await manager.apply(Self.frame([Self.allocation([task])]))
        let failed = await rig.reports.status(.failed)
        let events = failed.taskStates["work"]?.events ?? []
        #expect(events.contains { $0.type == "Setup Failure" && $0.displayMessage.contains("kill_signal") })
        #expect(rig.driver.started("work") == 0)
    }

    @Test("main tasks wait for a prestart task to succeed; a failed main task takes its sidecar down")
    func lifecycleOrder() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        let tasks = [
            Self.task("init", hook: .prestart), Self.task("proxy", hook: .prestart, sidecar: true), Self.task("app"),
        ]
        await manager.apply(Self.frame([Self.allocation(tasks)]))
        await rig.driver.waitForStart(of: "init")
        await rig.driver.waitForStart(of: "proxy")
        #expect(rig.driver.started("app") == 0, "app waits for init")
        rig.driver.finish("init", TaskExit(exitCode: 0))
        await rig.driver.waitForStart(of: "app")
        rig.driver.finish("app", TaskExit(exitCode: 2))
        let failed = await rig.reports.first { $0.clientStatus == .failed && $0.taskStates["proxy"]?.state == .dead }
        let proxyEvents = failed.taskStates["proxy"]?.events.map(\.type) ?? []
        #expect(proxyEvents.contains("Sibling Task Failed"), "\(proxyEvents)")
        #expect(proxyEvents.contains("Killed"), "\(proxyEvents)")
        #expect(failed.taskStates["proxy"]?.failed == false)
    }

    @Test("a stop from the servers kills the tasks, then runs the poststop task; the allocation completes")
    func stopRunsPoststop() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let manager = rig.manager()
        var alloc = Self.allocation([Self.task("app"), Self.task("cleanup", hook: .poststop)], type: .service)
        await manager.apply(Self.frame([alloc]))
        await rig.driver.waitForStart(of: "app")
        alloc.desiredStatus = .stop
        await manager.apply(Self.frame([alloc], snapshot: false))
        await rig.driver.waitForStart(of: "cleanup")
        rig.driver.finish("cleanup", TaskExit(exitCode: 0))
        let done = await rig.reports.status(.complete)
        #expect(done.taskStates["app"]?.events.suffix(3).map(\.type) == ["Killing", "Terminated", "Killed"])
        #expect(done.taskStates["cleanup"]?.state == .dead)
    }

    @Test("after a restart the manager re-attaches to a running task instead of starting it again")
    func restoreReattaches() async throws {
        let rig = try Rig()
        defer { rig.cleanup() }
        let alloc = Self.allocation([Self.task("app")], type: .service)
        try rig.store.saveAllocation(alloc)
        try FileManager.default.createDirectory(
            atPath: "\(rig.allocRoot)/\(alloc.id)/app", withIntermediateDirectories: true)
        let handle = rig.driver.adopt(task: "app", stateDir: rig.root + "/client/tasks/\(alloc.id)/app")
        var running = Caravan_V1_TaskState.with { $0.state = .running }
        running.events = [.with { $0.type = "Started" }]
        try rig.store.saveTask(allocID: alloc.id, task: "app", .init(state: running, handle: handle))

        let manager = rig.manager()
        try await manager.restore()
        await manager.apply(Self.frame([alloc]))
        #expect(await rig.reports.status(.running).taskStates["app"]?.state == .running)
        #expect(rig.driver.started("app") == 0)
        rig.driver.finish("app", TaskExit(exitCode: 0))
        // A service task that exits is restarted by policy (attempts 0 here: it is not).
        let done = await rig.reports.first { $0.clientStatus == .complete || $0.clientStatus == .failed }
        #expect(done.taskStates["app"]?.events.filter { $0.type == "Started" }.count == 1)
    }

    @Test("an allocation missing from a snapshot is stopped and its directory removed; old finished ones are collected")
    func destroyAndCollect() async throws {
        let rig = try Rig(gcMaxAllocs: 0)
        defer { rig.cleanup() }
        let manager = rig.manager()
        let running = Self.allocation([Self.task("app")], type: .service)
        await manager.apply(Self.frame([running]))
        await rig.driver.waitForStart(of: "app")
        #expect(FileManager.default.fileExists(atPath: "\(rig.allocRoot)/\(running.id)"))
        await manager.apply(Self.frame([]))
        #expect(!FileManager.default.fileExists(atPath: "\(rig.allocRoot)/\(running.id)"))
        #expect(try rig.store.allocations().isEmpty)

        let batch = Self.allocation([Self.task("work")])
        await manager.apply(Self.frame([batch]))
        await rig.driver.waitForStart(of: "work")
        rig.driver.finish("work", TaskExit(exitCode: 0))
        _ = await rig.reports.first { $0.allocID == batch.id && $0.clientStatus == .complete }
        await manager.collectGarbage()
        #expect(!FileManager.default.fileExists(atPath: "\(rig.allocRoot)/\(batch.id)"))
        #expect(await manager.allocationIDs.isEmpty)
    }
}
