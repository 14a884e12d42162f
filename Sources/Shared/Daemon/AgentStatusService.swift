import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization

/// Who a daemon is: the facts `Agent.Status` reports, fixed at start except the bound address and leader.
public struct AgentDescription: Sendable {
    public var name: String
    public var role: Caravan_V1_Role
    public var region: String
    public var datacenter: String
    public var details: [String: String]

    public init(
        name: String, role: Caravan_V1_Role, region: String, datacenter: String, details: [String: String] = [:]
    ) {
        self.name = name
        self.role = role
        self.region = region
        self.datacenter = datacenter
        self.details = details
    }
}

/// Serves `caravan.v1.Agent` for every daemon: status (name, role, region, version, uptime) and metrics.
public final class AgentStatusService: Caravan_V1_Agent.SimpleServiceProtocol {
    let description: AgentDescription
    let startedAt: Date
    let clock = ContinuousClock()
    let startInstant: ContinuousClock.Instant
    let boundAddress = Mutex<HostPort?>(nil)
    let boundAddressWaiters = Mutex<[CheckedContinuation<HostPort, Never>]>([])
    let leaderAddress = Mutex<String>("")

    public init(description: AgentDescription, startedAt: Date = Date()) {
        self.description = description
        self.startedAt = startedAt
        self.startInstant = clock.now
    }

    /// The address the RPC server bound, once it listens.
    public var currentBoundAddress: HostPort? { boundAddress.withLock { $0 } }

    /// Records the real listening address once the RPC server has bound (matters for port 0).
    public func setBoundAddress(_ address: HostPort) {
        boundAddress.withLock { $0 = address }
        let waiters = boundAddressWaiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }

    /// Waits until the RPC server listens (clientd advertises the real port to the servers).
    public func listeningAddress() async -> HostPort {
        await withCheckedContinuation { continuation in
            let ready: HostPort? = boundAddress.withLock { bound in
                if let bound { return bound }
                boundAddressWaiters.withLock { $0.append(continuation) }
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Records the Raft leader as this daemon knows it (serverd, and agents following servers).
    public func setLeader(_ address: String) {
        leaderAddress.withLock { $0 = address }
    }

    public func status(
        request: Caravan_V1_AgentStatusRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_AgentStatusResponse {
        var response = Caravan_V1_AgentStatusResponse()
        response.name = description.name
        response.role = description.role
        response.region = description.region
        response.datacenter = description.datacenter
        response.version = CaravanVersion.current
        let elapsed = clock.now - startInstant
        response.uptime = Google_Protobuf_Duration(
            seconds: elapsed.components.seconds,
            nanos: Int32(elapsed.components.attoseconds / 1_000_000_000)
        )
        response.startedAt = Google_Protobuf_Timestamp(date: startedAt)
        response.rpcAddress = boundAddress.withLock { $0?.description ?? "" }
        response.leader = leaderAddress.withLock { $0 }
        response.details = description.details
        return response
    }

    public func metrics(
        request: Caravan_V1_AgentMetricsRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_AgentMetricsResponse {
        var response = Caravan_V1_AgentMetricsResponse()
        response.collectedAt = Google_Protobuf_Timestamp(date: Date())
        var uptime = Caravan_V1_Metric()
        uptime.name = "caravan.agent.uptime_seconds"
        uptime.kind = .gauge
        let elapsed = clock.now - startInstant
        uptime.value = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        response.metrics = [uptime]
        return response
    }
}
