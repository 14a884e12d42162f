import CaravanRPC
import GRPCCore
import Testing

@Suite("Errors become gRPC statuses")
struct ErrorMapperTests {
    let method = MethodDescriptor(fullyQualifiedService: "caravan.v1.Jobs", method: "Register")

    struct Unexpected: Error {}

    @Test("Caravan errors keep their code and message; RPC errors pass through; others are INTERNAL")
    func mapping() {
        let invalid = ErrorMapper.map(CaravanError.invalidArgument("job.hcl:3:5: unknown key \"cont\""), method: method)
        #expect(invalid.code == .invalidArgument)
        #expect(invalid.message == "job.hcl:3:5: unknown key \"cont\"")
        #expect(ErrorMapper.map(RPCError(code: .notFound, message: "no job"), method: method).code == .notFound)
        let other = ErrorMapper.map(Unexpected(), method: method)
        #expect(other.code == .internalError)
        #expect(other.message.hasPrefix("caravan.v1.Jobs/Register failed"))
    }

    @Test("an error a streaming handler throws after accepting the call keeps its code (cancellation is CANCELLED)")
    func streamingProducer() async throws {
        let context = ServerContext(
            descriptor: method, remotePeer: "in-process", localPeer: "in-process",
            cancellation: .init())
        let (messages, feed) = AsyncThrowingStream.makeStream(of: Int.self)
        feed.finish()
        let request = StreamingServerRequest<Int>(metadata: [:], messages: RPCAsyncSequence(wrapping: messages))
        for (thrown, code) in [
            (CaravanError.permissionDenied("workload token refused") as any Error, RPCError.Code.permissionDenied),
            (CancellationError(), .cancelled),
        ] {
            let response: StreamingServerResponse<Int> = try await ErrorMapper().intercept(
                request: request, context: context
            ) { _, _ in
                StreamingServerResponse { _ in throw thrown }
            }
            let contents = try response.accepted.get()
            let writer = RPCWriter(wrapping: DiscardingWriter<Int>())
            do {
                _ = try await contents.producer(writer)
                Issue.record("the producer did not throw")
            } catch let error as RPCError {
                #expect(error.code == code)
            }
        }
    }
}

/// A writer that drops what it is given.
struct DiscardingWriter<Element: Sendable>: RPCWriterProtocol {
    func write(_ element: Element) async throws {}
    func write(contentsOf elements: some Sequence<Element>) async throws {}
}
