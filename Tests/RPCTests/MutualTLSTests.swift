import CaravanDaemon
import CaravanProto
import CaravanRPC
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import TestSupport
import Testing

/// Real sockets on 127.0.0.1: who gets in, who is turned away, and that the server keeps serving.
@Suite("Mutual TLS between agents", .timeLimit(.minutes(2)))
struct MutualTLSTests {
    let fixture: CertificateFixture

    init() throws {
        fixture = try CertificateFixture()
    }

    func statusService(role: Caravan_V1_Role = .server) -> AgentStatusService {
        AgentStatusService(
            description: AgentDescription(name: "node-a", role: role, region: "global", datacenter: "dc1"))
    }

    func dialer(_ name: String) throws -> RPCDialer {
        RPCDialer(tls: try fixture.material(name), callTimeout: .seconds(5))
    }

    func callStatus(_ dialer: RPCDialer, _ address: HostPort, expecting: AgentIdentity? = nil) async throws
        -> Caravan_V1_AgentStatusResponse
    {
        try await dialer.withClient(address, expecting: expecting) { client in
            try await Caravan_V1_Agent.Client(wrapping: client).status(Caravan_V1_AgentStatusRequest())
        }
    }

    @Test("a cli certificate from the CA gets the server's status")
    func succeeds() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            let response = try await callStatus(
                try dialer("cli"), address, expecting: AgentIdentity(role: .server, region: "global"))
            #expect(response.name == "node-a")
            #expect(response.role == .server)
            #expect(response.version == CaravanVersion.current)
        }
    }

    @Test("a client without a certificate is turned away, and the server keeps serving")
    func noClientCertificate() async throws {
        let ca = try fixture.material("cli")
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: address.host, port: address.port),
                transportSecurity: .tls { config in
                    config.trustRoots = .certificates([.file(path: ca.files.caFile, format: .pem)])
                    config.serverCertificateVerification = .noHostnameVerification
                }
            )
            await #expect(throws: RPCError.self) {
                try await withGRPCClient(transport: transport) { client in
                    try await Caravan_V1_Agent.Client(wrapping: client).status(
                        Caravan_V1_AgentStatusRequest(),
                        options: Self.shortDeadline
                    )
                }
            }
            #expect(try await callStatus(try dialer("cli"), address).name == "node-a")
        }
    }

    @Test("a certificate from another CA is turned away, and the server keeps serving")
    func otherCA() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            // This client trusts the real CA, so only the server's check of the client certificate can fail.
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: address.host, port: address.port),
                transportSecurity: .mTLS(
                    certificateChain: [.file(path: fixture.path("foreign-cli.pem"), format: .pem)],
                    privateKey: .file(path: fixture.path("foreign-cli-key.pem"), format: .pem)
                ) { config in
                    config.trustRoots = .certificates([.file(path: fixture.path("ca.pem"), format: .pem)])
                    config.serverCertificateVerification = .noHostnameVerification
                }
            )
            await #expect {
                try await withGRPCClient(transport: transport) { client in
                    try await Caravan_V1_Agent.Client(wrapping: client).status(
                        Caravan_V1_AgentStatusRequest(),
                        options: Self.shortDeadline
                    )
                }
            } throws: { error in
                RPCErrorText.describe(error).contains("TLS")
            }
            #expect(try await callStatus(try dialer("cli"), address).name == "node-a")
        }
    }

    @Test("an expired client certificate is turned away")
    func expired() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            let expired = RPCDialer(
                tls: try fixture.material("expired-cli", at: .now.addingTimeInterval(-2.5 * 86_400)),
                callTimeout: .seconds(5))
            await #expect {
                try await callStatus(expired, address)
            } throws: { error in
                ((error as? CaravanError)?.message ?? "").contains("TLS")
            }
            #expect(try await callStatus(try dialer("cli"), address).name == "node-a")
        }
    }

    @Test("a role the policy does not allow gets PERMISSION_DENIED naming the allowed roles")
    func wrongRole() async throws {
        let serverOnly = AccessPolicy(services: ["caravan.v1.Agent": [.server]])
        try await withRunningServer(
            tls: try fixture.material("server"), services: [statusService()], policy: serverOnly
        ) { _, address async throws in
            await #expect {
                try await callStatus(try dialer("client"), address)
            } throws: { error in
                Self.isPermissionDenied(error, mentioning: "allowed roles: server")
            }
            #expect(try await callStatus(try dialer("server"), address).name == "node-a")
        }
    }

    @Test("a caller from another region is denied")
    func otherRegion() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            await #expect {
                try await callStatus(try dialer("other-region-cli"), address)
            } throws: { error in
                Self.isPermissionDenied(error, mentioning: "not in region global")
            }
        }
    }

    @Test("dialing for a server role fails when the peer is a mesh agent")
    func serverRoleVerified() async throws {
        try await withRunningServer(tls: try fixture.material("mesh"), services: [statusService(role: .mesh)]) {
            _, address in
            await #expect {
                try await callStatus(
                    try dialer("cli"), address, expecting: AgentIdentity(role: .server, region: "global"))
            } throws: { error in
                ((error as? CaravanError)?.message ?? "").contains("TLS: the peer is not server.global.caravan")
            }
            let mesh = try await callStatus(
                try dialer("cli"), address, expecting: AgentIdentity(role: .mesh, region: "global"))
            #expect(mesh.role == .mesh)
        }
    }

    @Test("a plaintext client on the TLS port is turned away, and the server keeps serving")
    func plaintext() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) { _, address in
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: address.host, port: address.port),
                transportSecurity: .plaintext
            )
            await #expect(throws: RPCError.self) {
                try await withGRPCClient(transport: transport) { client in
                    try await Caravan_V1_Agent.Client(wrapping: client).status(
                        Caravan_V1_AgentStatusRequest(),
                        options: Self.shortDeadline
                    )
                }
            }
            #expect(try await callStatus(try dialer("cli"), address).name == "node-a")
        }
    }

    @Test("graceful shutdown lets an in-flight call finish and refuses new ones")
    func gracefulShutdown() async throws {
        let gate = GateService()
        let policy = AccessPolicy(services: ["caravan.v1.Agent": Set(AgentRole.allCases), "caravan.test.Gate": [.cli]])
        let server = RPCServer(
            bind: HostPort(host: "127.0.0.1", port: 0),
            tls: try fixture.material("server"),
            region: "global",
            services: [statusService(), gate],
            policy: policy
        )
        let cli = try dialer("cli")
        // The in-flight call must outlive the refused probe (up to its 5 s deadline) on a loaded machine.
        let patient = RPCDialer(tls: try fixture.material("cli"), callTimeout: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let address = try await server.listeningAddress()
            async let inFlight = patient.withClient(address) { client in try await GateService.call(client) }
            await gate.entered.wait()
            server.beginGracefulShutdown()
            // The server stops accepting: a new call fails while the old one is still open. Refused, or (when it
            // raced the listener's closing) unanswered: a short deadline keeps the in-flight call within its own.
            await #expect(throws: CaravanError.self) {
                try await cli.withClient(address) { client in
                    try await Caravan_V1_Agent.Client(wrapping: client).status(
                        Caravan_V1_AgentStatusRequest(), options: Self.shortDeadline)
                }
            }
            gate.release.fire()
            #expect(try await inFlight == "released")
            try await group.waitForAll()
        }
    }

    @Test("a malformed request payload gets an error status, and the server keeps serving")
    func malformedPayload() async throws {
        try await withRunningServer(tls: try fixture.material("server"), services: [statusService()]) {
            _, address async throws in
            let cli = try dialer("cli")
            // 0xFF… is a truncated varint: not a valid protobuf message of any type.
            await #expect {
                try await cli.withClient(address) { client in
                    try await client.unary(
                        request: ClientRequest(message: [0x0A, 0xFF, 0xFF, 0xFF]),
                        descriptor: Caravan_V1_Agent.Method.Status.descriptor,
                        serializer: RawBytesSerializer(),
                        deserializer: ProtobufDeserializer<Caravan_V1_AgentStatusResponse>(),
                        options: .defaults
                    ) { response in try response.message }
                }
            } throws: { error in
                let code = (error as? CaravanError)?.code
                return code == .invalidArgument || code == .internalError
            }
            #expect(try await callStatus(cli, address).name == "node-a")
        }
    }

    static let shortDeadline: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        options.waitForReady = false
        return options
    }()

    static func isPermissionDenied(_ error: any Error, mentioning text: String) -> Bool {
        guard let error = error as? CaravanError else { return false }
        return error.code == .permissionDenied && error.message.contains(text)
    }
}

/// Sends whatever bytes it is given, to play a peer that speaks broken protobuf.
struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}
