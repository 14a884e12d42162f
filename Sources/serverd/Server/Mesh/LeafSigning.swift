import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import State

/// Signs proxies' leaf certificates and rotates the root, on whichever server meshd reached.
///
/// A leaf is signed only for a valid workload token whose allocation still runs on the node it was issued to and
/// still defines the connect service; each leaf's serial is the index of a Raft entry reserving it, so serials
/// are unique across servers and every meshd replica derives the same snapshot version from a leaf.
struct LeafSigning: Sendable {
    let queries: ClusterQueries
    let leafTTL: TimeInterval
    let now: @Sendable () -> Date

    func sign(csrPEM: String, token: String) async throws -> Caravan_V1_LeafCert {
        guard !csrPEM.isEmpty else { throw CaravanError.invalidArgument("no CSR given") }
        let time = now()
        let (grant, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.connectCA, .allocs]) { view in
            try Self.authorize(token: token, in: view.cluster, at: time)
        }
        var command = StateCommands.envelope(at: time)
        command.issueLeaf = .with {
            $0.allocID = grant.claims.allocID
            $0.service = grant.claims.service
        }
        let applied = try await queries.propose(command)
        do {
            return try ConnectCALeafSigner.sign(
                csrPEM: csrPEM, service: grant.claims.service, datacenter: grant.datacenter,
                trustDomain: grant.ca.trustDomain, serial: applied.index, now: time, ttl: leafTTL,
                rootPEM: grant.root.rootCertPem, rootKeyPEM: grant.rootKey,
                intermediatesPEM: grant.root.intermediateCertsPem, rootID: grant.root.id)
        } catch {
            // A bad CSR is INVALID_ARGUMENT; an expired root FAILED_PRECONDITION; a signing failure INTERNAL.
            throw error.caravanError
        }
    }

    struct Grant: Sendable {
        var claims: WorkloadToken.Claims
        var ca: Caravan_V1_ConnectCAState
        var root: Caravan_V1_CARoot
        var rootKey: String
        var datacenter: String
    }

    /// Checks the token against the state: signed by this cluster, unexpired, for a live allocation on the node
    /// it was issued to, whose group still defines the connect service.
    static func authorize(token: String, in cluster: ClusterState, at time: Date) throws -> Grant {
        guard let ca = cluster.mesh.connectCA, let root = ca.roots.first(where: \.active),
            let rootKey = ca.rootKeys[root.id]
        else { throw CaravanError.unavailable("the Connect CA is not initialized yet; retry shortly") }
        let claims: WorkloadToken.Claims
        do {
            claims = try WorkloadToken.verify(token, key: SymmetricKey(data: ca.tokenKey), now: time)
        } catch {
            throw CaravanError.permissionDenied("workload token refused: \(error)")
        }
        guard let alloc = cluster.allocs[claims.allocID], alloc.nodeID == claims.nodeID, !alloc.isTerminal else {
            throw CaravanError.permissionDenied(
                "workload token refused: allocation \(claims.allocID) no longer runs on node \(claims.nodeID)")
        }
        guard cluster.definesConnectService(alloc, named: claims.service) else {
            throw CaravanError.permissionDenied(
                "workload token refused: allocation \(claims.allocID) defines no connect service \"\(claims.service)\"")
        }
        let datacenter = cluster.nodes[alloc.nodeID]?.datacenter ?? ""
        return Grant(claims: claims, ca: ca, root: root, rootKey: rootKey, datacenter: datacenter)
    }

    /// Generates a new root, cross-signed by the active one, and makes it active (check-and-set on the active id).
    func rotate() async throws -> (id: String, index: UInt64) {
        let time = now()
        let (ca, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.connectCA]) { view in
            view.cluster.mesh.connectCA
        }
        guard let ca, let old = ca.roots.first(where: \.active), let oldKey = ca.rootKeys[old.id] else {
            throw CaravanError.unavailable("the Connect CA is not initialized yet; retry shortly")
        }
        let generated = try ConnectCARoot.generate(
            trustDomain: ca.trustDomain, name: "Caravan CA \(ca.roots.count + 1)", now: time)
        var root = generated.root
        root.intermediateCertsPem = [
            try ConnectCARoot.crossSign(newRoot: root, byOldRootPEM: old.rootCertPem, oldKeyPEM: oldKey, now: time)
        ]
        var command = StateCommands.envelope(at: time)
        command.rotateConnectCa = .with {
            $0.root = root
            $0.rootKeyPem = generated.keyPEM
            $0.previousRootID = old.id
        }
        let applied = try await queries.propose(command)
        return (root.id, applied.index)
    }
}
