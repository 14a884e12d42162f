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
}
