import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Serves `caravan.v1.ProxyConfig`: a proxy says hello (service, allocation, workload token, CSR), gets its leaf and
/// then a complete snapshot whenever its version moves, and ACKs or NACKs each one; it may ask for a renewed leaf.
public struct ProxyConfigService: Caravan_V1_ProxyConfig.SimpleServiceProtocol {
    let registry: ProxyRegistry
    let leaves: ProxyLeafSource

    init(registry: ProxyRegistry, leaves: ProxyLeafSource) {
        self.registry = registry
        self.leaves = leaves
    }

    public func stream(
        request: RPCAsyncSequence<Caravan_V1_ProxyMessage, any Error>,
        response: RPCWriter<Caravan_V1_ProxySnapshot>, context: ServerContext
    ) async throws {
        let (outbox, continuation) = AsyncStream.makeStream(of: Caravan_V1_ProxySnapshot.self)
        let session = ProxyStreamSession(registry: registry, leaves: leaves, outbox: continuation)
        defer { continuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await snapshot in outbox { try await response.write(snapshot) }
            }
            group.addTask {
                defer { continuation.finish() }
                do {
                    for try await message in request { try await session.handle(message) }
                } catch {
                    await session.end()
                    throw error
                }
                await session.end()
            }
            // Either side ending ends the stream: the proxy hung up, or writing to it failed.
            try await group.next()
            group.cancelAll()
        }
    }
}

/// One stream's state: registered once hello was accepted, then ACK/NACK/renew messages.
actor ProxyStreamSession {
    let registry: ProxyRegistry
    let leaves: ProxyLeafSource
    let outbox: AsyncStream<Caravan_V1_ProxySnapshot>.Continuation
    private var id: UInt64?
    private var token = ""

    init(registry: ProxyRegistry, leaves: ProxyLeafSource, outbox: AsyncStream<Caravan_V1_ProxySnapshot>.Continuation) {
        self.registry = registry
        self.leaves = leaves
        self.outbox = outbox
    }

    func handle(_ message: Caravan_V1_ProxyMessage) async throws {
        switch message.message {
        case .hello(let hello)?:
            guard id == nil else { throw CaravanError.invalidArgument("hello may be sent only once per stream") }
            try Self.validate(hello)
            let (leaf, keyID) = try await leaves.leaf(for: hello)
            token = hello.workloadToken
            let registration = ProxyRegistration(
                proxyID: hello.proxyID, service: hello.service, allocID: hello.allocID,
                namespace: hello.namespace.isEmpty ? "default" : hello.namespace, workloadToken: hello.workloadToken,
                leaf: leaf, keyID: keyID)
            id = await registry.open(registration, outbox: outbox)
        case .ack(let ack)?:
            await registry.acknowledge(try registered(), version: ack.version)
        case .nack(let nack)?:
            await registry.reject(try registered(), version: nack.version, reason: nack.error)
        case .renew(let renew)?:
            let id = try registered()
            let keyID: String
            do {
                keyID = try WorkloadKey.keyID(csrPEM: renew.csrPem)
            } catch {
                throw CaravanError.invalidArgument("renew.csr_pem: \(error)")
            }
            let leaf = try await leaves.sign(csrPEM: renew.csrPem, token: token)
            await registry.replaceLeaf(id, leaf: leaf, keyID: keyID)
        case nil:
            throw CaravanError.invalidArgument("empty proxy message")
        }
    }

    func end() async {
        if let id { await registry.close(id) }
        id = nil
    }

    private func registered() throws -> UInt64 {
        guard let id else { throw CaravanError.invalidArgument("the first message on the stream must be a hello") }
        return id
    }

    static func validate(_ hello: Caravan_V1_ProxyHello) throws {
        var missing: [String] = []
        if hello.proxyID.isEmpty { missing.append("proxy_id") }
        if hello.service.isEmpty { missing.append("service") }
        if hello.allocID.isEmpty { missing.append("alloc_id") }
        if hello.workloadToken.isEmpty { missing.append("workload_token") }
        if hello.csrPem.isEmpty { missing.append("csr_pem") }
        guard missing.isEmpty else {
            throw CaravanError.invalidArgument("hello is missing " + missing.joined(separator: ", "))
        }
    }
}
