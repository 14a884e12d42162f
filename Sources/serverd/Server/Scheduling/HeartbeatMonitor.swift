import Foundation

/// The leader's heartbeat timers: each node must heartbeat within its TTL plus a grace period, or it is
/// marked down and its allocations replaced.
///
/// TTLs grow with the cluster (as Nomad's) so the leader handles at most `maxHeartbeatsPerSecond`, and get a
/// random stagger so nodes that registered together do not heartbeat together. A new leader gives every node a
/// full TTL plus grace before judging it, since it cannot know when the node last heartbeated the old leader.
public actor HeartbeatMonitor {
    public struct Settings: Sendable {
        public var minTTL: Duration = .seconds(10)
        public var grace: Duration = .seconds(10)
        public var maxHeartbeatsPerSecond = 50.0
        public init() {}
    }

    public let settings: Settings
    private var deadlines: [String: ContinuousClock.Instant] = [:]
    private var random = SystemRandomNumberGenerator()

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The TTL to hand a node now: `minTTL`, or longer when many nodes share the leader, plus a stagger.
    func nextTTL() -> Duration {
        let scaled = Double(deadlines.count) / settings.maxHeartbeatsPerSecond
        let base = max(settings.minTTL, .milliseconds(Int(scaled * 1000)))
        let stagger = Double.random(in: 0..<1, using: &random)
        return base + base * stagger
    }

    /// Records a heartbeat (or a registration) from `nodeID`; returns the TTL the node must heartbeat within.
    @discardableResult
    public func heartbeat(from nodeID: String) -> Duration {
        let ttl = nextTTL()
        deadlines[nodeID] = ContinuousClock.now + ttl + settings.grace
        return ttl
    }

    /// Starts judging `nodeIDs` (this server just became leader): each gets a full TTL plus grace.
    public func track(_ nodeIDs: [String]) {
        for nodeID in nodeIDs where deadlines[nodeID] == nil {
            deadlines[nodeID] = ContinuousClock.now + settings.minTTL + settings.grace
        }
    }

    /// Nodes whose time ran out; they are no longer tracked (a heartbeat tracks them again).
    public func takeExpired() -> [String] {
        let now = ContinuousClock.now
        let expired = deadlines.filter { $0.value <= now }.map(\.key).sorted()
        for nodeID in expired { deadlines[nodeID] = nil }
        return expired
    }

    public func forget(_ nodeID: String) {
        deadlines[nodeID] = nil
    }

    public func clear() {
        deadlines.removeAll()
    }

    public var trackedCount: Int { deadlines.count }
}
