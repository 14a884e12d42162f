import ArgumentParser
import CaravanProto
import Testing

@testable import CtlCommands

@Suite("intention verbs build the requests meshd expects")
struct IntentionRequestTests {
    static func parse<Command: ParsableCommand>(_ arguments: [String], as _: Command.Type) throws -> Command {
        try #require(try CtlCommand.parseAsRoot(arguments) as? Command)
    }

    @Test("create -deny -meta a=b builds a deny intention carrying the metadata")
    func createDeny() throws {
        let command = try Self.parse(
            [
                "intention", "create", "-deny", "-meta", "a=b", "-meta", "team=pay=ments", "-description", "no", "web",
                "db",
            ],
            as: IntentionCreateCommand.self)
        let request = try command.request()
        #expect(!request.replace)
        #expect(request.intention.sourceName == "web")
        #expect(request.intention.destinationName == "db")
        #expect(request.intention.action == .deny)
        #expect(request.intention.meta == ["a": "b", "team": "pay=ments"])
        #expect(request.intention.description_p == "no")
        #expect(request.intention.permissions.isEmpty)
        #expect(IntentionFormatter.created(request.intention) == "Created: web => db (deny)")
    }

    @Test("create allows by default, takes NAMESPACE/NAME and * and passes -replace")
    func createDefaults() throws {
        let command = try Self.parse(
            ["intention", "create", "-replace", "ops/*", "api"], as: IntentionCreateCommand.self)
        let request = try command.request()
        #expect(request.replace)
        #expect(request.intention.action == .allow)
        #expect(request.intention.sourceNamespace == "ops" && request.intention.sourceName == "*")
        #expect(request.intention.destinationNamespace == "" && request.intention.destinationName == "api")
        #expect(IntentionFormatter.created(request.intention) == "Created: ops/* => api (allow)")
    }

    @Test("get and delete address one ID, or a source and destination pair")
    func selectors() throws {
        let byID = try Self.parse(["intention", "get", "4f9a2c1e"], as: IntentionGetCommand.self)
        #expect(try byID.request().id == "4f9a2c1e")
        let byPair = try Self.parse(["intention", "delete", "web", "prod/api"], as: IntentionDeleteCommand.self)
        let pair = try byPair.request().pair
        #expect(pair.sourceName == "web" && pair.sourceNamespace == "")
        #expect(pair.destinationName == "api" && pair.destinationNamespace == "prod")
    }

    @Test("match asks by source or by destination, with the namespace in the query")
    func match() throws {
        let source = try Self.parse(["intention", "match", "-source", "web"], as: IntentionMatchCommand.self)
        #expect(try source.request().by == .source)
        #expect(try source.request().name == "web")
        let destination = try Self.parse(
            ["intention", "match", "-destination", "prod/api"], as: IntentionMatchCommand.self)
        let request = try destination.request()
        #expect(request.by == .destination && request.name == "api" && request.query.namespace == "prod")
    }

    @Test("check with HTTP flags builds IntentionCheckHTTP: method upper-cased, header names lower-cased")
    func checkHTTP() throws {
        let command = try Self.parse(
            [
                "intention", "check", "-http-method", "post", "-http-path", "/admin/users", "-http-header",
                "X-Env=canary", "-http-header", "accept=a=b", "web", "api",
            ], as: IntentionCheckCommand.self)
        let request = try command.request()
        #expect(request.sourceName == "web" && request.destinationName == "api")
        #expect(request.hasHTTP)
        #expect(request.http.method == "POST")
        #expect(request.http.path == "/admin/users")
        #expect(request.http.headers == ["x-env": "canary", "accept": "a=b"])
    }

    @Test("check without HTTP flags checks the connection only")
    func checkL4() throws {
        let command = try Self.parse(["intention", "check", "web", "api"], as: IntentionCheckCommand.self)
        #expect(try !command.request().hasHTTP)
    }

    @Test(
        "check's argument problems are usage errors (exit 2 in run)",
        arguments: [
            (["intention", "check", "web"], "give SRC and DST (got 1 arguments)"),
            (["intention", "check", "-http-path", "admin", "web", "api"], "-http-path must start with /"),
            (["intention", "check", "-http-header", "x-env", "web", "api"], "-http-header \"x-env\" is not KEY=VALUE"),
            (
                ["intention", "check", "-http-header", "X-A=1", "-http-header", "x-a=2", "web", "api"],
                "-http-header \"x-a\" is given twice"
            ),
            (["intention", "check", "-http-method", "GE T", "web", "api"], "is not an HTTP method"),
            (["intention", "check", "web", "a/b/c"], "destination \"a/b/c\" is not a service"),
        ])
    func checkUsage(arguments: [String], message: String) throws {
        let command = try Self.parse(arguments, as: IntentionCheckCommand.self)
        let error = try #require(throws: VarUsageError.self) { try command.request() }
        #expect(error.message.contains(message), "\(error.message)")
    }
}
