import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import State

/// Reaches the `ClientFS` service of the node an allocation is placed on, for `alloc fs` and `alloc logs`: finds
/// the node in the state and dials its RPC address with this server's certificate, requiring the node to prove
/// the client role.
public struct NodeFileAccess: Sendable {
    /// The node an allocation is on, with where to reach it.
    struct Target: Sendable {
        var allocID: String
        var nodeName: String
        var address: HostPort
    }

    /// A followed stream lasts as long as the caller keeps it open.
    static let followTimeout: Duration = .seconds(7 * 86_400)
    /// A read of a whole file may be slower than the default deadline of unary calls.
    static let readTimeout: Duration = .seconds(600)

    let queries: ClusterQueries
    let pool: RPCConnectionPool

    /// `tls` is this server's own material; nodes must present `client.<region>.caravan`.
    public init(queries: ClusterQueries, tls: TLSMaterial, region: String, callTimeout: Duration = .seconds(30)) {
        self.queries = queries
        self.pool = RPCConnectionPool(
            dialer: RPCDialer(tls: tls, callTimeout: callTimeout),
            expecting: AgentIdentity(role: .client, region: region))
    }

    /// The allocation `idOrPrefix` and its node; NOT_FOUND for an unknown allocation, UNAVAILABLE when its node
    /// is down, gone or has no RPC address.
    func target(_ idOrPrefix: String) async throws -> Target {
        let (found, _) = try await queries.read(ClusterQueries.local, tables: [.allocs, .nodes]) { view in
            let alloc: Caravan_V1_Allocation
            do {
                alloc = try ClusterQueries.resolve(idOrPrefix, in: view.cluster.allocs, kind: "allocation")
            } catch let error as CaravanError where error.code == .notFound {
                throw CaravanError.notFound("allocation \(idOrPrefix) not found")
            }
            return (alloc, view.node(id: alloc.nodeID))
        }
        let (alloc, node) = found
        guard let node else {
            throw CaravanError.unavailable("node \(alloc.nodeID) of allocation \(alloc.id) is no longer registered")
        }
        let name = "\(node.name) (\(node.id.prefix(8)))"
        if node.status == .down {
            throw CaravanError.unavailable("node \(name) is down; the files of allocation \(alloc.id) are unreachable")
        }
        guard !node.rpcAddr.isEmpty, let address = try? HostPort(parsing: node.rpcAddr) else {
            throw CaravanError.unavailable("node \(name) has no usable RPC address (\"\(node.rpcAddr)\")")
        }
        return Target(allocID: alloc.id, nodeName: name, address: address)
    }

    /// Runs `body` with the node's ClientFS client. Refusals by the node (not found, permission denied, ...)
    /// pass through unchanged; failing to reach it is UNAVAILABLE naming the node.
    func withClientFS<Result: Sendable>(
        _ target: Target,
        _ body: @escaping @Sendable (Caravan_V1_ClientFS.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        do {
            return try await pool.withClient(target.address) { client in
                do {
                    return try await body(Caravan_V1_ClientFS.Client(wrapping: client))
                } catch let error as RPCError where Self.isAnswer(error.code) {
                    throw CaravanError(error.code, error.message)
                }
            }
        } catch let error as CaravanError where !Self.isAnswer(error.code) {
            throw CaravanError(
                error.code == .deadlineExceeded ? .deadlineExceeded : .unavailable,
                "node \(target.nodeName): \(error.message)")
        }
    }

    /// Codes a node's ClientFS answers with on its own, which the caller should see as they are.
    static func isAnswer(_ code: RPCError.Code) -> Bool {
        [.invalidArgument, .notFound, .permissionDenied, .failedPrecondition, .outOfRange, .cancelled].contains(code)
    }

    /// Call options for a stream: long enough for what it reads.
    static func streamOptions(follow: Bool) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = follow ? followTimeout : readTimeout
        return options
    }
}
