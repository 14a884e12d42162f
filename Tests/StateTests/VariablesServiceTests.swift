import CaravanProto
import CaravanRPC
import CaravanServer
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import State
import TestSupport
import Testing

/// `caravan.v1.Variables` served by a real RPCServer over mutual TLS, on the single-process replicated state.
@Suite("Variables service over mTLS", .timeLimit(.minutes(2)))
struct VariablesServiceTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Runs `body` with a Variables client holding a cli certificate, against a fresh server.
    func withVariables(
        certificate: String = "cli",
        _ body: (Caravan_V1_Variables.Client<HTTP2ClientTransport.Posix>) async throws -> Void
    ) async throws {
        let fixture = try CertificateFixture()
        let service = VariablesService(state: LocalReplicatedState(), now: { Self.now })
        try await withRunningServer(tls: try fixture.material("server"), services: [service]) { _, address in
            let dialer = RPCDialer(tls: try fixture.material(certificate), callTimeout: .seconds(10))
            try await dialer.withClient(address) { client in
                try await body(Caravan_V1_Variables.Client(wrapping: client))
            }
        }
    }

    static func put(
        _ path: String, _ items: [String: String], checkIndex: UInt64? = nil
    ) -> Caravan_V1_PutVariableRequest {
        var request = Caravan_V1_PutVariableRequest()
        request.variable.path = path
        request.variable.items = items
        if let checkIndex { request.checkIndex = checkIndex }
        return request
    }

    static func get(_ path: String) -> Caravan_V1_GetVariableRequest {
        var request = Caravan_V1_GetVariableRequest()
        request.path = path
        return request
    }

    @Test("a put is stored with the server's proposal time and read back with its index")
    func putThenGet() async throws {
        try await withVariables { variables in
            var request = Self.put("jobs/api/db", ["user": "app", "password": "s3cr3t"])
            request.variable.createIndex = 999  // a caller cannot choose indexes
            let put = try await variables.put(request)
            #expect(put.meta.index == 1)
            #expect(put.variable.createIndex == 1 && put.variable.modifyIndex == 1)
            #expect(put.variable.namespace == "default")
            #expect(put.variable.modifyTime.date == Self.now)

            let got = try await variables.get(Self.get("jobs/api/db"))
            #expect(got.variable == put.variable)
            #expect(got.meta.index == 1)
            #expect(got.meta.knownLeader)

            var stale = Self.get("jobs/api/db")
            stale.query.allowStale = true
            #expect(try await variables.get(stale).variable.items == ["user": "app", "password": "s3cr3t"])
        }
    }

    @Test("a check-index conflict is FAILED_PRECONDITION with the stored index, and the variable is unchanged")
    func casConflict() async throws {
        try await withVariables { variables in
            _ = try await variables.put(Self.put("a", ["v": "1"]))
            let error = await #expect(throws: RPCError.self) {
                try await variables.put(Self.put("a", ["v": "2"], checkIndex: 7))
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == "cas error: variable \"a\" modify index is 1, not 7")
            #expect(try await variables.get(Self.get("a")).variable.items == ["v": "1"])

            let ok = try await variables.put(Self.put("a", ["v": "3"], checkIndex: 1))
            #expect(ok.variable.modifyIndex == 3, "the refused put still used index 2")
        }
    }

    @Test("list pages through variables by path with next_token, under a prefix")
    func listPages() async throws {
        try await withVariables { variables in
            for path in ["jobs/e", "jobs/a", "jobs/c", "jobs/b", "jobs/d", "other"] {
                _ = try await variables.put(Self.put(path, ["k": "v"]))
            }
            var request = Caravan_V1_ListVariablesRequest()
            request.query.prefix = "jobs/"
            request.perPage = 2
            var pages: [[String]] = []
            repeat {
                let page = try await variables.list(request)
                pages.append(page.variables.map(\.path))
                #expect(page.meta.index == 6)
                request.nextToken = page.nextToken
            } while !request.nextToken.isEmpty && pages.count < 10
            #expect(pages == [["jobs/a", "jobs/b"], ["jobs/c", "jobs/d"], ["jobs/e"]])
        }
    }

    @Test("delete removes the variable; a get then answers NOT_FOUND naming it")
    func deleteThenGet() async throws {
        try await withVariables { variables in
            _ = try await variables.put(Self.put("a", ["v": "1"]))
            var delete = Caravan_V1_DeleteVariableRequest()
            delete.path = "a"
            #expect(try await variables.delete(delete).meta.index == 2)
            let error = await #expect(throws: RPCError.self) { try await variables.get(Self.get("a")) }
            #expect(error?.code == .notFound)
            #expect(error?.message == "variable \"a\" not found")
            #expect(try await variables.delete(delete).meta.index == 3, "deleting again is fine")
        }
    }

    /// A put the service must refuse, named briefly so test output stays readable.
    struct BadPut: Sendable, CustomTestStringConvertible {
        var name: String
        var request: Caravan_V1_PutVariableRequest
        var message: String
        var testDescription: String { name }
    }

    static let badPuts = [
        BadPut(
            name: "leading slash", request: put("/etc/passwd", ["k": "v"]),
            message: "variable path \"/etc/passwd\" must not start or end with \"/\""),
        BadPut(
            name: "dot-dot segment", request: put("a/../b", ["k": "v"]),
            message: "variable path \"a/../b\" has a \"..\" segment"),
        BadPut(
            name: "no items", request: put("a", [:]),
            message: "variable \"a\" has no items; give at least one KEY=VALUE"),
        BadPut(
            name: "64 KiB + 1", request: put("a", ["k": String(repeating: "x", count: 65_536)]),
            message: "items are 65537 bytes"),
    ]

    @Test("bad input is INVALID_ARGUMENT and nothing is proposed", arguments: badPuts)
    func badInput(bad: BadPut) async throws {
        try await withVariables { variables in
            let error = await #expect(throws: RPCError.self) { try await variables.put(bad.request) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(bad.message) == true, "\(String(describing: error?.code))")
            let list = try await variables.list(Caravan_V1_ListVariablesRequest())
            #expect(list.variables.isEmpty)
            #expect(list.meta.index == 0, "no entry was applied")
        }
    }

    @Test("a get, list or delete with a bad path or namespace is INVALID_ARGUMENT")
    func badAddress() async throws {
        try await withVariables { variables in
            await #expect(throws: RPCError.self) { try await variables.get(Self.get("a//b")) }
            var list = Caravan_V1_ListVariablesRequest()
            list.query.namespace = "*"
            let error = await #expect(throws: RPCError.self) { try await variables.list(list) }
            #expect(error?.code == .invalidArgument)
            var delete = Caravan_V1_DeleteVariableRequest()
            delete.path = "x y"
            await #expect(throws: RPCError.self) { try await variables.delete(delete) }
            let after = try await variables.list(Caravan_V1_ListVariablesRequest())
            #expect(after.meta.index == 0, "nothing was proposed")
        }
    }

    @Test("a mesh certificate may not call Variables")
    func meshDenied() async throws {
        try await withVariables(certificate: "mesh") { variables in
            let error = await #expect(throws: RPCError.self) { try await variables.get(Self.get("a")) }
            #expect(error?.code == .permissionDenied)
        }
    }
}
