import CaravanProto
import ClientDrivers
import ClientFS
import ClientNetwork
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Builds alloc runners and their task runners with everything they share: the node, the drivers, the state
/// store, the host volumes and where task state lives.
struct AllocRunnerFactory: Sendable {
    let node: Caravan_V1_Node
    let region: String
    let drivers: [String: any TaskDriver]
    let store: ClientStateStore
    let allocRoot: String
    /// `<data_dir>/client/tasks`: one state dir per task for its executor.
    let taskStateRoot: String
    let hostVolumes: [String: HostVolumeOption]
    /// Sets up bridge and none networks; nil when this node cannot (not root, or no ip/iptables).
    let network: NetworkManager?
    let logger: Logger

    func makeRunner(_ allocation: Caravan_V1_Allocation, manager: AllocManager) -> AllocRunner {
        let dir = AllocDir(root: allocRoot, allocID: allocation.id)
        let factory = self
        return AllocRunner(
            AllocRunner.Setup(
                allocation: allocation, dir: dir,
                makeTaskRunner: { task, record, network, runner in
                    factory.makeTaskRunner(
                        task, allocation: allocation, dir: dir, network: network, record: record, runner: runner)
                },
                network: AllocNetworkHook(manager: network, allocation: allocation, logger: logger),
                buildDir: { dir, allocation in try factory.buildDir(dir, allocation) },
                report: { update in await manager.reported(update) },
                logger: logger))
    }

    func makeTaskRunner(
        _ task: Caravan_V1_Task, allocation: Caravan_V1_Allocation, dir: AllocDir, network: AllocNetwork?,
        record: ClientStateStore.TaskRecord?, runner: AllocRunner
    ) -> TaskRunner {
        let driver = drivers[task.driver]
        let builder = driver.map {
            TaskLaunchBuilder(
                allocation: allocation, task: task, node: node, region: region, dir: dir, driver: $0,
                hostVolumes: hostVolumes, network: network)
        }
        let group = allocation.job.taskGroups.first { $0.name == allocation.taskGroup } ?? Caravan_V1_TaskGroup()
        let policy = EffectiveRestartPolicy.resolve(task: task, group: group, jobType: allocation.job.type)
        let signalName = task.killSignal.isEmpty ? "SIGINT" : task.killSignal
        let signal = Result { () throws(SignalNameError) in try SignalName.killSignal(task.killSignal) }
        let timeout = task.hasKillTimeout ? swiftDuration(task.killTimeout) : .seconds(5)
        return TaskRunner(
            TaskRunner.Setup(
                name: task.name, allocID: allocation.id, driverName: task.driver, driver: driver,
                prepare: {
                    guard let builder else { throw TaskSetupError("driver \"\(task.driver)\" is not available") }
                    if case .failure(let error) = signal { throw TaskSetupError("kill_signal: \(error)") }
                    return try builder.build()
                },
                stateDir: taskStateRoot + "/" + allocation.id + "/" + task.name,
                // An unknown kill_signal never starts the task (see prepare); SIGKILL is then moot.
                killSignal: (signalName, (try? signal.get()) ?? SIGKILL), killTimeout: timeout,
                restarts: RestartTracker(
                    policy: policy, jobType: allocation.job.type,
                    lifecycle: task.hasLifecycle ? task.lifecycle : nil, start: .now),
                store: store, logger: logger,
                onChange: { name, state in await runner.taskChanged(name, state) }),
            restoring: record)
    }

    /// Creates the allocation directory; exec tasks own their task dirs (they run as another user).
    func buildDir(_ dir: AllocDir, _ allocation: Caravan_V1_Allocation) throws {
        let tasks = AllocRunner.tasks(of: allocation)
        let owners = Dictionary(
            tasks.map { task in (task.name, Self.owner(of: task)) }, uniquingKeysWith: { first, _ in first })
        try dir.build(tasks: tasks.map(\.name), owner: { owners[$0] ?? nil })
    }

    /// The uid/gid an exec task runs as (nobody unless `user` says otherwise); nil for raw_exec.
    static func owner(of task: Caravan_V1_Task) -> TaskOwner? {
        guard task.driver == "exec" || !task.user.isEmpty else { return nil }
        let name = task.user.isEmpty ? "nobody" : task.user
        guard let entry = getpwnam(name) else { return nil }
        return TaskOwner(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}
