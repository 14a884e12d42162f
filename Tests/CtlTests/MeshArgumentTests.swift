import ArgumentParser
import Foundation
import Testing

@testable import CtlCommands

@Suite("mesh verbs: argument errors and help")
struct MeshArgumentTests {
    @Test(
        "each bad argument to the mesh verbs exits 64 with a message naming the problem",
        arguments: [
            (["intention", "create", "-allow", "-deny", "web", "api"], "-allow and -deny cannot both be given"),
            (["intention", "create", "-meta", "owner", "web", "api"], "-meta \"owner\" is not KEY=VALUE"),
            (["intention", "create", "-meta", "=x", "web", "api"], "-meta \"=x\" is not KEY=VALUE"),
            (["intention", "create", "-meta", "a=1", "-meta", "a=2", "web", "api"], "-meta key \"a\" is given twice"),
            (["intention", "create", "web"], "Missing expected argument '<destination>'"),
            (["intention", "create", "a/b/c", "api"], "source \"a/b/c\" is not a service"),
            (["intention", "create", "web", "/api"], "destination \"/api\" is not a service"),
            (["intention", "delete"], "give SRC DST, or the intention's ID (got 0 arguments)"),
            (["intention", "get", "a", "b", "c"], "give SRC DST, or the intention's ID (got 3 arguments)"),
            (["intention", "match"], "give exactly one of -source or -destination"),
            (["intention", "match", "-source", "web", "-destination", "api"], "exactly one of -source"),
            (["config", "write", "-cas", "web.hcl"], "-cas needs -modify-index N"),
            (["config", "write", "-modify-index", "3", "web.hcl"], "-modify-index applies only with -cas"),
            (["config", "read", "-name", "web"], "-kind is required"),
            (["config", "read", "-kind", "service-router"], "-name is required"),
            (["config", "read", "-kind", "proxy-defaults", "-name", "global"], "unknown -kind \"proxy-defaults\""),
            (["config", "list", "-kind", "mesh"], "unknown -kind \"mesh\""),
            (["config", "delete", "-kind", "service-router", "-name", "web", "-cas"], "-cas needs -modify-index"),
            (["mesh", "chain", "-protocol", "udp", "web"], "-protocol \"udp\" is not one of tcp, http, http2, grpc"),
            (["service", "info", "-tag", "", "web"], "-tag #1 is empty"),
        ])
    func usage(arguments: [String], message: String) throws {
        let failure = try #require(ArgumentTests.failure(arguments))
        #expect(failure.code == 64)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test("the mesh verbs parse with single-dash flags into the right commands")
    func parses() throws {
        #expect(try CtlCommand.parseAsRoot(["service", "list"]) is ServiceListCommand)
        #expect(try CtlCommand.parseAsRoot(["service", "info", "-passing", "-tag", "v1", "web"]) is ServiceInfoCommand)
        #expect(try CtlCommand.parseAsRoot(["intention", "list", "-json"]) is IntentionListCommand)
        #expect(try CtlCommand.parseAsRoot(["intention", "delete", "4f9a2c1e"]) is IntentionDeleteCommand)
        #expect(try CtlCommand.parseAsRoot(["intention", "get", "web", "api"]) is IntentionGetCommand)
        #expect(try CtlCommand.parseAsRoot(["config", "validate", "web.hcl"]) is ConfigValidateCommand)
        #expect(try CtlCommand.parseAsRoot(["config", "list"]) is ConfigListCommand)
        #expect(try CtlCommand.parseAsRoot(["mesh", "ca", "roots", "-pem"]) is MeshCARootsCommand)
        #expect(try CtlCommand.parseAsRoot(["mesh", "ca", "rotate"]) is MeshCARotateCommand)
        let chain = try #require(
            try CtlCommand.parseAsRoot(["mesh", "chain", "-protocol", "http", "web"]) as? MeshChainCommand)
        #expect(chain.request.service == "web" && chain.request.overrideProtocol == "http")
    }

    @Test("intention check leaves its usage errors to run, which exits 2 for them, as Consul")
    func checkUsageIsNotAParseError() throws {
        #expect(try CtlCommand.parseAsRoot(["intention", "check", "web"]) is IntentionCheckCommand)
        #expect(IntentionCheckCommand.errorStatus == 2)
        #expect(IntentionCheckCommand.configuration.discussion.contains("2 on any error"))
    }

    @Test("mesh verbs dial -address, else fall back to meshd's port 8502")
    func meshAddress() throws {
        let given = try #require(
            try CtlCommand.parseAsRoot(["intention", "list", "-address", "10.0.0.5:9502"]) as? IntentionListCommand)
        #expect(try given.connection.target().description == "10.0.0.5:9502")
        let plain = try #require(try CtlCommand.parseAsRoot(["intention", "list"]) as? IntentionListCommand)
        let environment = ProcessInfo.processInfo.environment["CARAVAN_MESH_ADDR"] ?? ""
        let expected = environment.isEmpty ? "127.0.0.1:8502" : environment
        #expect(try plain.connection.target().description == expected)
    }

    @Test("every mesh verb's help says where it connects and documents its exit status")
    func help() {
        let meshd: [any ParsableCommand.Type] = [
            IntentionCreateCommand.self, IntentionDeleteCommand.self, IntentionGetCommand.self,
            IntentionListCommand.self, IntentionMatchCommand.self, IntentionCheckCommand.self,
            ConfigWriteCommand.self, ConfigReadCommand.self, ConfigListCommand.self, ConfigDeleteCommand.self,
            MeshChainCommand.self, MeshCARootsCommand.self, MeshCARotateCommand.self,
        ]
        for verb in meshd {
            #expect(verb.configuration.discussion.contains("CARAVAN_MESH_ADDR"), "\(verb)")
            #expect(verb.configuration.discussion.contains("Exit status"), "\(verb)")
        }
        for verb: any ParsableCommand.Type in [ServiceListCommand.self, ServiceInfoCommand.self] {
            #expect(verb.configuration.discussion.contains("serverd"), "\(verb)")
            #expect(verb.configuration.discussion.contains("Exit status"), "\(verb)")
        }
        #expect(MeshConnectionOptions.helpMessage().contains("CARAVAN_MESH_ADDR"))
    }
}
