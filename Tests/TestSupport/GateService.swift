import CaravanProto
import GRPCCore
import GRPCProtobuf

/// A test-only gRPC service whose one method blocks until the test releases it, to hold a call in flight.
public struct GateService: RegistrableRPCService {
    public static let method = MethodDescriptor(fullyQualifiedService: "caravan.test.Gate", method: "Wait")
    /// Fired when a call has entered the handler.
    public let entered = AsyncSignal()
    /// Fire to let the handler answer.
    public let release = AsyncSignal()

    public init() {}

    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Self.method,
            deserializer: ProtobufDeserializer<Caravan_V1_AgentStatusRequest>(),
            serializer: ProtobufSerializer<Caravan_V1_AgentStatusResponse>()
        ) { [entered, release] request, context in
            _ = try await request.messages.reduce(into: 0) { count, _ in count += 1 }
            entered.fire()
            await release.wait()
            var response = Caravan_V1_AgentStatusResponse()
            response.name = "released"
            return StreamingServerResponse(single: ServerResponse(message: response))
        }
    }

    /// Calls the gate and returns the response's name.
    public static func call(_ client: GRPCClient<some ClientTransport>) async throws -> String {
        try await client.unary(
            request: ClientRequest(message: Caravan_V1_AgentStatusRequest()),
            descriptor: method,
            serializer: ProtobufSerializer<Caravan_V1_AgentStatusRequest>(),
            deserializer: ProtobufDeserializer<Caravan_V1_AgentStatusResponse>(),
            options: .defaults
        ) { response in try response.message.name }
    }
}
