import CaravanRPC
import Synchronization

/// Late binding between the gRPC services, which must exist before the servers start listening, and the
/// consensus parts, which need the bound addresses first. Calls that arrive in between get UNAVAILABLE.
public final class ConsensusHandle: Sendable {
    struct Parts: Sendable {
        var driver: RaftDriver
        var formation: ClusterFormation
    }

    private let parts = Mutex<Parts?>(nil)

    public init() {}

    func set(_ value: Parts) {
        parts.withLock { $0 = value }
    }

    func get() throws(CaravanError) -> Parts {
        guard let value = parts.withLock({ $0 }) else { throw .unavailable("server is still starting") }
        return value
    }

    /// The driver, once running.
    public func driver() throws(CaravanError) -> RaftDriver {
        try get().driver
    }
}
