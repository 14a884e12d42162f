import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

/// A proxy's side of `ProxyConfig.Stream`: says hello to one meshd replica, hands every snapshot to the proxy and
/// answers with its ACK or NACK, and on a broken stream moves to the next replica, presenting the leaf it holds
/// so the new replica serves the same snapshot version. proxyd runs one; tests and `bench mesh` run many.
public actor ProxyConfigClient {
    /// Who the proxy is and what it proves it with.
    public struct Identity: Sendable {
        public var proxyID: String
        public var service: String
        public var allocID: String
        public var nodeID: String
        public var workloadToken: String
        public var key: P256.Signing.PrivateKey

        public init(
            proxyID: String, service: String, allocID: String, nodeID: String, workloadToken: String,
            key: P256.Signing.PrivateKey = WorkloadKey.makePrivateKey()
        ) {
            self.proxyID = proxyID
            self.service = service
            self.allocID = allocID
            self.nodeID = nodeID
            self.workloadToken = workloadToken
            self.key = key
        }
    }

    /// The proxy's verdict on a snapshot: nil applies it (ACK), a reason rejects it (NACK).
    public typealias Apply = @Sendable (Caravan_V1_ProxySnapshot) async -> String?

    let identity: Identity
    let meshes: [HostPort]
    let dialer: RPCDialer
    /// Connections shared with other clients (many proxies' streams over one connection each replica), or nil
    /// for a connection of its own per stream, as a lone proxyd has.
    let shared: RPCConnectionPool?
    let region: String
    private var next = 0
    private var currentLeafPEM = ""
    /// The replica that served the last stream.
    public private(set) var connectedTo: HostPort?

    public init(
        identity: Identity, meshes: [HostPort], tls: TLSMaterial, region: String, sharing pool: RPCConnectionPool? = nil
    ) {
        self.identity = identity
        self.meshes = meshes
        self.region = region
        dialer = RPCDialer(tls: tls, callTimeout: Self.streamTimeout)
        shared = pool
    }

    /// How long one stream may last before it is re-established (a fresh hello with the leaf it holds).
    public static let streamTimeout: Duration = .seconds(3600)

    /// Streams until cancelled, reconnecting to the next replica after a break. Throws at once for refusals that
    /// a retry cannot fix (a bad token, a malformed hello).
    public func run(apply: @escaping Apply) async throws {
        var failures = 0
        while !Task.isCancelled {
            let address = meshes[next % meshes.count]
            do {
                try await stream(to: address, apply: apply)
                failures = 0
            } catch {
                if Task.isCancelled { return }
                switch RPCErrorText.code(of: error) {
                case .permissionDenied, .invalidArgument, .unauthenticated:
                    throw error
                default:
                    failures += 1
                    next += 1
                    try await Task.sleep(for: .milliseconds(min(1000, 50 * failures)))
                }
            }
        }
    }

    private nonisolated func stream(to address: HostPort, apply: @escaping Apply) async throws {
        let hello = try await makeHello()
        let (outgoing, sender) = AsyncStream.makeStream(of: Caravan_V1_ProxyMessage.self)
        sender.yield(.with { $0.hello = hello })
        await connected(to: address)
        defer { sender.finish() }
        let expected = AgentIdentity(role: .mesh, region: region)
        let renewal = LeafRenewalTimer()
        defer { renewal.cancel() }
        let csr = hello.csrPem
        let exchange: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void = { client in
            let request = StreamingClientRequest<Caravan_V1_ProxyMessage> { writer in
                for await message in outgoing { try await writer.write(message) }
            }
            try await Caravan_V1_ProxyConfig.Client(wrapping: client).stream(request: request) { response in
                for try await snapshot in response.messages {
                    if snapshot.tls.hasLeaf {
                        await self.remember(snapshot.tls.leaf.certPem)
                        renewal.schedule(for: snapshot.tls.leaf) {
                            sender.yield(.with { $0.renew = .with { $0.csrPem = csr } })
                        }
                    }
                    if let reason = await apply(snapshot) {
                        sender.yield(
                            .with {
                                $0.nack = .with {
                                    $0.version = snapshot.version
                                    $0.error = reason
                                }
                            })
                    } else {
                        sender.yield(.with { $0.ack = .with { $0.version = snapshot.version } })
                    }
                }
            }
        }
        if let shared {
            try await shared.withClient(address, exchange)
        } else {
            try await dialer.withClient(address, expecting: expected, exchange)
        }
    }

    private func remember(_ pem: String) { currentLeafPEM = pem }

    private func connected(to address: HostPort) { connectedTo = address }

    private func makeHello() throws -> Caravan_V1_ProxyHello {
        var hello = Caravan_V1_ProxyHello()
        hello.proxyID = identity.proxyID
        hello.service = identity.service
        hello.allocID = identity.allocID
        hello.nodeID = identity.nodeID
        hello.namespace = "default"
        hello.workloadToken = identity.workloadToken
        hello.csrPem = try WorkloadKey.csr(for: identity.service, key: identity.key)
        hello.currentLeafPem = currentLeafPEM
        hello.proxydVersion = CaravanVersion.current
        return hello
    }
}

/// Asks for a new leaf at a random point between 60 and 90 % of the current one's lifetime, as Consul's proxies
/// do, so a fleet's leaves do not all expire together. Rescheduled whenever a new leaf arrives.
final class LeafRenewalTimer: Sendable {
    private let state = Mutex<(serial: String, task: Task<Void, Never>?)>(("", nil))

    func schedule(for leaf: Caravan_V1_LeafCert, renew: @escaping @Sendable () -> Void) {
        var generator = SystemRandomNumberGenerator()
        let at = LeafRenewal.renewAt(
            validAfter: leaf.validAfter.date, validBefore: leaf.validBefore.date, using: &generator)
        state.withLock { state in
            guard state.serial != leaf.serialNumber else { return }
            state.task?.cancel()
            state.serial = leaf.serialNumber
            state.task = Task {
                let wait = max(0, at.timeIntervalSinceNow)
                try? await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                if !Task.isCancelled { renew() }
            }
        }
    }

    func cancel() {
        state.withLock { $0.task?.cancel() }
    }
}
