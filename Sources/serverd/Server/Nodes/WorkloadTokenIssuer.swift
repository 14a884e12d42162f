import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import State

/// Issues the token a sidecar proxy presents to get its leaf certificate: bound to one allocation on the calling
/// node and one connect service of its group, signed with the cluster's token key (kept in the Connect CA state).
enum WorkloadTokenIssuer {
    /// How long a token is accepted. The servers also check at signing time that the allocation still runs, so
    /// a token of a stopped allocation is useless long before it expires.
    static let lifetime: TimeInterval = 7 * 24 * 3600

    static func issue(for request: Caravan_V1_IssueWorkloadTokenRequest, in cluster: ClusterState, at time: Date)
        throws -> (token: String, expiresAt: Date)
    {
        guard let ca = cluster.mesh.connectCA else {
            throw CaravanError.unavailable("the Connect CA is not initialized yet; retry shortly")
        }
        guard let alloc = cluster.allocs[request.allocID], alloc.nodeID == request.nodeID else {
            throw CaravanError.notFound("allocation \(request.allocID) is not placed on node \(request.nodeID)")
        }
        guard !alloc.isTerminal else {
            throw CaravanError.failedPrecondition("allocation \(request.allocID) has stopped; no token")
        }
        guard cluster.definesConnectService(alloc, named: request.service) else {
            throw CaravanError.invalidArgument(
                "group \"\(alloc.taskGroup)\" of allocation \(request.allocID) defines no connect service "
                    + "\"\(request.service)\"")
        }
        let expiresAt = time.addingTimeInterval(lifetime)
        let claims = WorkloadToken.Claims(
            allocID: alloc.id, service: request.service, nodeID: alloc.nodeID, expiresAt: expiresAt)
        return (try WorkloadToken.issue(claims: claims, key: SymmetricKey(data: ca.tokenKey)), expiresAt)
    }
}
