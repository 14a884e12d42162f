import CaravanProto
import CaravanRPC
import Foundation

/// Where a proxy's leaf comes from: the one it already holds, when it is still good (a reconnect, so every replica
/// serves the same snapshot version), or a new one the servers sign for its CSR and workload token.
struct ProxyLeafSource: Sendable {
    let store: MeshViewStore
    let servers: ServerFailoverPool
    let now: @Sendable () -> Date

    /// The leaf for `hello` and the key id it certifies.
    func leaf(for hello: Caravan_V1_ProxyHello) async throws -> (leaf: Caravan_V1_LeafCert, keyID: String) {
        let keyID: String
        do {
            keyID = try WorkloadKey.keyID(csrPEM: hello.csrPem)
        } catch {
            throw CaravanError.invalidArgument("hello.csr_pem: \(error)")
        }
        if !hello.currentLeafPem.isEmpty,
            let reused = await reusable(hello.currentLeafPem, service: hello.service, keyID: keyID)
        {
            return (reused, keyID)
        }
        return (try await sign(csrPEM: hello.csrPem, token: hello.workloadToken), keyID)
    }

    /// A fresh leaf for a CSR (hello or renewal), signed by the servers if the token allows it.
    func sign(csrPEM: String, token: String) async throws -> Caravan_V1_LeafCert {
        let request = Caravan_V1_SignLeafRequest.with {
            $0.csrPem = csrPEM
            $0.workloadToken = token
        }
        return try await servers.withServer { client in
            try await Caravan_V1_MeshState.Client(wrapping: client).signLeaf(request).leaf
        }
    }

    /// The presented leaf, if it chains to a current root, names the proxy's service, certifies the key the
    /// proxy's CSR proves it holds, and is not yet due for renewal (60 % of its lifetime).
    func reusable(_ pem: String, service: String, keyID: String) async -> Caravan_V1_LeafCert? {
        let time = now()
        let roots = store.view.roots.roots
        guard
            case .valid(let leaf, let rootID) = await LeafCertificateCheck.verify(
                chainPEM: pem, roots: roots, now: time),
            leaf.spiffeID.service == service, leaf.keyID == keyID,
            time < LeafRenewal.renewAt(validAfter: leaf.validAfter, validBefore: leaf.validBefore, fraction: 0.6)
        else { return nil }
        var cert = Caravan_V1_LeafCert()
        cert.serialNumber = leaf.serialNumber
        cert.certPem = pem
        cert.service = service
        cert.spiffeID = leaf.spiffeID.uri
        cert.validAfter = .init(date: leaf.validAfter)
        cert.validBefore = .init(date: leaf.validBefore)
        cert.rootID = rootID
        return cert
    }
}
