import CaravanProto

/// The order a group's tasks run in, as Nomad's lifecycle hooks define it: prestart tasks first (ephemeral ones must
/// finish successfully, sidecars must have started), then the main tasks, then poststart tasks once every main task
/// has started, and poststop tasks once every main task is dead. Answers the alloc runner's questions from task
/// states alone.
struct TaskLifecyclePlan: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case prestart, main, poststart, poststop
    }

    struct Member: Sendable, Equatable {
        var name: String
        var phase: Phase
        /// Keeps running for the allocation's life (prestart and poststart only).
        var sidecar: Bool
        /// Its exit stops the other tasks.
        var leader: Bool
    }

    /// In the group's order.
    let members: [Member]

    init(members: [Member]) {
        self.members = members
    }

    init(tasks: [Caravan_V1_Task]) {
        members = tasks.map { task in
            let phase: Phase
            switch task.hasLifecycle ? task.lifecycle.hook : .unspecified {
            case .prestart: phase = .prestart
            case .poststart: phase = .poststart
            case .poststop: phase = .poststop
            case .unspecified, .UNRECOGNIZED: phase = .main
            }
            let sidecar = (phase == .prestart || phase == .poststart) && task.lifecycle.sidecar
            return Member(name: task.name, phase: phase, sidecar: sidecar, leader: task.leader)
        }
    }

    /// Tasks that have never started and whose phase may begin now.
    func tasksToStart(_ states: [String: TaskRunState]) -> [String] {
        members.filter { member in
            let state = states[member.name] ?? .pending
            return !state.started && state.status == .pending && phaseOpen(member.phase, states)
        }.map(\.name)
    }

    /// Whether tasks of `phase` may start.
    func phaseOpen(_ phase: Phase, _ states: [String: TaskRunState]) -> Bool {
        switch phase {
        case .prestart: return true
        case .main: return prestartDone(states)
        case .poststart:
            return prestartDone(states) && members(.main).allSatisfy { (states[$0.name] ?? .pending).started }
        case .poststop:
            return members(.main).allSatisfy { (states[$0.name] ?? .pending).status == .dead }
        }
    }

    /// Main tasks wait for every prestart sidecar to have started and every ephemeral prestart task to have
    /// finished successfully.
    private func prestartDone(_ states: [String: TaskRunState]) -> Bool {
        members(.prestart).allSatisfy { member in
            let state = states[member.name] ?? .pending
            return member.sidecar ? state.started : state.succeeded
        }
    }

    private func members(_ phase: Phase) -> [Member] { members.filter { $0.phase == phase } }

    /// Whether the other tasks must be stopped now, and why: a failed task (prestart or main) fails the allocation
    /// and takes its siblings down; a dead leader stops the rest; once only sidecars are left alive they are stopped.
    /// Poststop tasks are not counted (they run after the others).
    func stopReason(_ states: [String: TaskRunState]) -> StopReason? {
        var reason: StopReason?
        var live: [Member] = []
        for member in members where member.phase != .poststop {
            let state = states[member.name] ?? .pending
            guard state.status == .dead else {
                live.append(member)
                continue
            }
            if state.failed {
                if reason == nil { reason = .siblingFailed(member.name) }
            } else if member.leader {
                reason = .leaderDead(member.name)
            }
        }
        if let reason { return reason }
        if !live.isEmpty, live.allSatisfy(\.sidecar) { return .mainTasksDead }
        return nil
    }

    /// Why the alloc runner stops the remaining tasks; the text is the task event type Nomad emits.
    enum StopReason: Sendable, Equatable {
        case siblingFailed(String)
        case leaderDead(String)
        case mainTasksDead

        var eventType: String {
            switch self {
            case .siblingFailed: "Sibling Task Failed"
            case .leaderDead: "Leader Task Dead"
            case .mainTasksDead: "Main Tasks Dead"
            }
        }
    }

    /// The allocation's client status from its task states, with Nomad's precedence: any failed task fails it;
    /// otherwise any running task makes it running, any pending one pending, and all dead makes it complete.
    func clientStatus(_ states: [String: TaskRunState]) -> (Caravan_V1_AllocClientStatus, String) {
        let all = members.map { states[$0.name] ?? .pending }
        if all.contains(where: { $0.status == .dead && $0.failed }) { return (.failed, "Failed tasks") }
        if all.contains(where: { $0.status == .running }) { return (.running, "Tasks are running") }
        if all.contains(where: { $0.status == .pending }) { return (.pending, "No tasks have started") }
        return (.complete, "All tasks have completed")
    }
}

/// The part of a task's state the lifecycle plan reads.
struct TaskRunState: Sendable, Equatable {
    enum Status: Sendable, Equatable {
        case pending, running, dead
    }

    var status: Status
    var failed: Bool
    /// Has been started at least once (it may be pending again while it waits to restart).
    var started: Bool

    static let pending = TaskRunState(status: .pending, failed: false, started: false)
    static let running = TaskRunState(status: .running, failed: false, started: true)

    /// Dead without failing.
    var succeeded: Bool { status == .dead && !failed }

    init(status: Status, failed: Bool, started: Bool) {
        self.status = status
        self.failed = failed
        self.started = started
    }

    init(_ proto: Caravan_V1_TaskState) {
        switch proto.state {
        case .running: status = .running
        case .dead: status = .dead
        case .pending, .unspecified, .UNRECOGNIZED: status = .pending
        }
        failed = proto.failed
        started = proto.hasStartedAt || status == .running
    }
}
