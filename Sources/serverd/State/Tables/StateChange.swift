import CaravanProto

/// What one applied entry changed, handed to the leader's duties and to the watches right after it applies.
///
/// The eval broker learns of new evaluations this way (they are created by whichever server proposed the
/// entry), blocked evaluations are retried when `capacityChanged`, and blocking queries wake for `tables`.
public struct StateChange: Sendable {
    public var index: UInt64
    public var tables: Set<StateTable> = []
    /// Evaluations created or updated, as stored.
    public var evals: [Caravan_V1_Evaluation] = []
    /// Nodes that registered or changed status or eligibility.
    public var nodeIDs: Set<String> = []
    /// Something that may let a blocked evaluation place now: a node became usable, an allocation stopped.
    public var capacityChanged = false

    public init(index: UInt64) {
        self.index = index
    }
}
