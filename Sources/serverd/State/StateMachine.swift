import CaravanProto
import CaravanRPC
import SwiftProtobuf

/// serverd's replicated state machine (the FSM): applies committed Raft entries to the tables, deterministically.
///
/// Every replica applies the same entries in the same order and must end in the same state, so `apply` never
/// reads a clock, never crashes and never throws: an entry it cannot use (malformed bytes, an unknown version,
/// a failed check-and-set) becomes an error result, changes no table, and still counts as applied. Not
/// `Sendable`: one owner (the Raft driver's actor, or `LocalReplicatedState`) applies entries and serves reads.
public final class StateMachine {
    /// The index of the last entry applied or marked applied (or of the restored snapshot).
    public private(set) var lastAppliedIndex: UInt64 = 0
    public private(set) var variables = VariablesTable()
    public private(set) var cluster = ClusterState()
    /// Told what each applied entry changed, on the applying thread, right after it applied. It must return
    /// at once (hand the change to a stream); the leader's eval broker and the blocking queries listen here.
    public var changeObserver: (@Sendable (StateChange) -> Void)?

    public init() {}

    /// A read-only copy of the tables as of `lastAppliedIndex`.
    public var view: StateView { StateView(appliedIndex: lastAppliedIndex, variables: variables, cluster: cluster) }

    /// Applies the committed entry at `index` holding an encoded `StateCommand`; returns what the proposer gets.
    ///
    /// An `index` at or below `lastAppliedIndex` was already applied: it is refused (INTERNAL) and changes
    /// nothing, so a driver that replays entries cannot apply one twice.
    public func apply(entryData: [UInt8], index: UInt64) -> Caravan_V1_StateCommandResult {
        guard index > lastAppliedIndex else {
            return .refused(
                CaravanError(
                    .internalError,
                    "entry \(index) is at or below the last applied index \(lastAppliedIndex); not applied again"
                )
            )
        }
        lastAppliedIndex = index
        cluster.journal = StateChange(index: index)
        defer {
            if let change = cluster.journal, !change.tables.isEmpty { changeObserver?(change) }
            cluster.journal = nil
        }
        do {
            return try execute(try decode(entryData, index: index), index: index)
        } catch let error as CaravanError {
            return .refused(error)
        } catch {
            return .refused(CaravanError(.internalError, "entry \(index): \(error)"))
        }
    }

    /// Records a committed entry that carries no state command (a leader's no-op, a membership change), so
    /// `lastAppliedIndex` follows the log. Ignored for an index already applied.
    public func markApplied(index: UInt64) {
        lastAppliedIndex = max(lastAppliedIndex, index)
    }

    /// Every table as an encoded `StateSnapshot` at `lastAppliedIndex`.
    ///
    /// Deterministic: replicas in the same state write the same bytes (tables sorted, map fields ordered).
    public func snapshot() throws -> [UInt8] {
        try snapshotSource().encode()
    }

    /// A frozen copy of the tables (copy-on-write, so taking it is cheap) that can be encoded on another
    /// thread while this machine goes on applying entries.
    public func snapshotSource() -> StateSnapshotSource {
        StateSnapshotSource(index: lastAppliedIndex, variables: variables, cluster: cluster)
    }

    /// Replaces every table and `lastAppliedIndex` with those of an encoded `StateSnapshot`.
    ///
    /// All or nothing: the snapshot is decoded and checked completely before anything is replaced, so bytes
    /// that do not decode throw DATA_LOSS and leave the state as it was.
    public func restore(from bytes: [UInt8]) throws {
        let snapshot: Caravan_V1_StateSnapshot
        do {
            snapshot = try Caravan_V1_StateSnapshot(serializedBytes: bytes)
        } catch {
            throw CaravanError(.dataLoss, "snapshot of \(bytes.count) bytes does not decode: \(error)")
        }
        let restored = try VariablesTable(restoring: snapshot.variables)
        let restoredCluster = try ClusterState(restoring: snapshot)
        variables = restored
        cluster = restoredCluster
        lastAppliedIndex = snapshot.index
        changeObserver?(Self.everythingChanged(at: snapshot.index))
    }

    /// After a restore every table may differ: watchers re-read, the broker rebuilds.
    static func everythingChanged(at index: UInt64) -> StateChange {
        var change = StateChange(index: index)
        change.tables = Set(StateTable.allCases)
        change.capacityChanged = true
        return change
    }

    func decode(_ entryData: [UInt8], index: UInt64) throws -> Caravan_V1_StateCommand {
        do {
            return try Caravan_V1_StateCommand(serializedBytes: entryData)
        } catch {
            throw CaravanError.invalidArgument("entry \(index) is not a state command (\(error)); nothing applied")
        }
    }

    func execute(_ command: Caravan_V1_StateCommand, index: UInt64) throws -> Caravan_V1_StateCommandResult {
        guard command.version == StateCommands.currentVersion else {
            throw CaravanError(
                .unimplemented,
                "entry \(index) has state command version \(command.version); this server applies only version "
                    + "\(StateCommands.currentVersion)"
            )
        }
        guard command.hasProposedAt else {
            throw CaravanError.invalidArgument("entry \(index) has no proposed_at; nothing applied")
        }
        switch command.command {
        case .putVariable(let put)?:
            var result = Caravan_V1_StateCommandResult()
            result.variable = try variables.put(put, index: index, time: command.proposedAt)
            return result
        case .deleteVariable(let delete)?:
            try variables.delete(delete)
            return .applied
        case .restoreSnapshot(let bytes)?:
            // `ctl operator snapshot restore`: every replica swaps its tables at the same log position.
            let snapshot: Caravan_V1_StateSnapshot
            do {
                snapshot = try Caravan_V1_StateSnapshot(serializedBytes: bytes)
            } catch {
                throw CaravanError.invalidArgument("entry \(index): the snapshot to restore does not decode: \(error)")
            }
            let restoredVariables = try VariablesTable(restoring: snapshot.variables)
            var restoredCluster = try ClusterState(restoring: snapshot)
            restoredCluster.journal = Self.everythingChanged(at: index)
            variables = restoredVariables
            cluster = restoredCluster
            return .applied
        case .registerJob(let register)?:
            var result = Caravan_V1_StateCommandResult()
            result.job = try cluster.registerJob(register, index: index, time: command.proposedAt)
            return result
        case .deregisterJob(let deregister)?:
            try cluster.deregisterJob(deregister, index: index, time: command.proposedAt)
            return .applied
        case .upsertEvals(let upsert)?:
            cluster.upsertEvals(upsert.evals, index: index, time: command.proposedAt)
            return .applied
        case .applyPlan(let apply)?:
            cluster.applyPlan(apply.plan, index: index, time: command.proposedAt)
            return .applied
        case .registerNode(let register)?:
            try cluster.registerNode(register, index: index, time: command.proposedAt)
            return .applied
        case .updateNodeStatus(let update)?:
            try cluster.updateNodeStatus(update, index: index, time: command.proposedAt)
            return .applied
        case .updateNodeEligibility(let update)?:
            try cluster.updateNodeEligibility(update, index: index, time: command.proposedAt)
            return .applied
        case .clientAllocUpdates(let updates)?:
            cluster.applyClientUpdates(updates, index: index, time: command.proposedAt)
            return .applied
        case .periodicLaunch(let launch)?:
            guard let child = try cluster.launchPeriodic(launch, index: index, time: command.proposedAt) else {
                return .applied
            }
            var result = Caravan_V1_StateCommandResult()
            result.job = child
            return result
        case .stopAlloc(let stop)?:
            try cluster.stopAlloc(stop, index: index, time: command.proposedAt)
            return .applied
        case .updateDeployment(let update)?:
            try cluster.updateDeployment(update, index: index, time: command.proposedAt)
            return .applied
        case .promoteDeployment(let promote)?:
            try cluster.promoteDeployment(promote, index: index, time: command.proposedAt)
            return .applied
        case .setJobStability(let stability)?:
            try cluster.setJobStability(stability, index: index, time: command.proposedAt)
            return .applied
        case .updateNodeDrain(let update)?:
            try cluster.updateNodeDrain(update, index: index, time: command.proposedAt)
            return .applied
        case .allocTransitions(let transitions)?:
            cluster.applyAllocTransitions(transitions, index: index, time: command.proposedAt)
            return .applied
        case .meshApply(let request)?:
            try cluster.applyMesh(request, index: index, time: command.proposedAt)
            return .applied
        case .initConnectCa(let initialize)?:
            try cluster.initConnectCA(initialize, index: index)
            return .applied
        case .rotateConnectCa(let rotate)?:
            try cluster.rotateConnectCA(rotate, index: index, time: command.proposedAt)
            return .applied
        case .issueLeaf(let issue)?:
            try cluster.issueLeaf(issue)
            return .applied
        case nil:
            // A command from a newer server. Skipping it is safe only when its proposer said so; otherwise this
            // replica would silently diverge, so the refusal says to upgrade.
            throw CaravanError(
                command.ignorable ? .unimplemented : .failedPrecondition,
                command.ignorable
                    ? "entry \(index) carries an ignorable command this server does not know; skipped"
                    : "entry \(index) carries a command this server does not know and may not skip; upgrade this "
                        + "server to the version of the cluster's leader")
        }
    }
}

/// The state as of one applied index, ready to be encoded into a `StateSnapshot` away from the apply loop.
public struct StateSnapshotSource: Sendable {
    public let index: UInt64
    let variables: VariablesTable
    let cluster: ClusterState

    public func encode() throws -> [UInt8] {
        var snapshot = Caravan_V1_StateSnapshot()
        snapshot.index = index
        snapshot.variables = variables.all
        cluster.write(into: &snapshot)
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try snapshot.serializedBytes(options: options)
    }
}
