import HCL
import Testing

@Suite("Decoding helpers")
struct BodyReaderTests {
    static let seed = """
        job "api" {
          datacenters = ["dc1"]
          group "api" {
            network {
              mode = "bridge"
              port "http" {
                static = "9090"
                to = "9090"
              }
            }
            service {
              name = "api"
              port = 9090
              connect {
                sidecar_service {
                  proxy {
                    upstreams {
                      destination_name = "payments"
                      local_bind_port = 9091
                    }
                  }
                }
              }
            }
            task "api" {
              driver = "exec"
              config {
                command = "/bin/api"
                args = ["-listen", ":${NOMAD_PORT_http}"]
              }
            }
          }
        }
        """

    @Test("the seed job parses and every value reads back")
    func seedJob() throws {
        let document = try HCLDocument.load(source: Self.seed, filename: "api.nomad.hcl")
        let root = document.reader()
        try root.checkKeys(["job"])
        let job = try #require(try root.block("job"))
        #expect(try job.requireLabels(1, names: ["name"]) == ["api"])
        #expect(try job.body.strings("datacenters") == ["dc1"])
        let group = try #require(try job.body.block("group"))
        #expect(group.labels.map(\.value) == ["api"])
        try group.body.checkKeys(["count", "network", "service", "task"])

        let network = try #require(try group.body.block("network"))
        #expect(try network.body.string("mode") == "bridge")
        let port = try #require(try network.body.blocks("port").first)
        #expect(try port.requireLabels(1) == ["http"])
        #expect(try port.body.int("static") == 9090)
        #expect(try port.body.int("to") == 9090)
        #expect(try port.body.attribute("static") == "9090")

        let service = try #require(try group.body.block("service"))
        #expect(try service.body.string("name") == "api")
        #expect(try service.body.int("port") == 9090)
        let upstream = try #require(
            try service.body.block("connect")?.body.block("sidecar_service")?.body.block("proxy")?.body
                .block("upstreams"))
        #expect(try upstream.body.string("destination_name") == "payments")
        #expect(try upstream.body.int("local_bind_port") == 9091)

        let task = try #require(try group.body.block("task"))
        #expect(task.labels.map(\.value) == ["api"])
        #expect(try task.body.string("driver") == "exec")
        let config = try #require(try task.body.block("config"))
        #expect(try config.body.string("command") == "/bin/api")
        #expect(try config.body.strings("args") == ["-listen", ":${NOMAD_PORT_http}"])
        #expect(try config.body.attribute("args") == ["-listen", ":${NOMAD_PORT_http}"])
    }

    @Test("the seed job written with a one-line config block is a clear positioned error")
    func seedOneLine() {
        let oneLine = Self.seed.replacingOccurrences(
            of:
                "      config {\n        command = \"/bin/api\"\n        args = [\"-listen\", \":${NOMAD_PORT_http}\"]\n      }",
            with: "      config { command = \"/bin/api\" args = [\"-listen\", \":${NOMAD_PORT_http}\"] }")
        #expect(oneLine != Self.seed)
        #expect(
            parseErrors(oneLine) == [
                "test.hcl:27:37: a single-line block may contain only one attribute; put \"args\" and the other "
                    + "attributes of \"config\" on separate lines"
            ])
    }

    static let consul = """
        Kind = "service-router"
        Name = "web"
        Routes = [
          {
            Match {
              HTTP {
                PathPrefix = "/admin"
              }
            }
            Destination {
              Service = "admin"
            }
          },
          { Match { HTTP { path_prefix = "/api", Methods = ["GET", "POST"] } } Destination { Service = "api" } },
        ]
        """

    @Test("Consul's HCL1 blocks inside list elements read as nested blocks, CamelCase or snake_case")
    func consulRouter() throws {
        let document = try HCLDocument.load(source: Self.consul, filename: "router.hcl")
        let root = document.reader(keyMatching: .normalized)
        #expect(try root.string("kind") == "service-router")
        let routes = try root.blocks("Routes")
        #expect(routes.count == 2)
        var prefixes: [String?] = []
        var services: [String?] = []
        for route in routes {
            try route.body.checkKeys(["Match", "Destination"])
            let http = try route.body.block("Match")?.body.block("HTTP")
            prefixes.append(try http?.body.string("PathPrefix"))
            services.append(try route.body.block("Destination")?.body.string("Service"))
        }
        #expect(prefixes == ["/admin", "/api"])
        #expect(services == ["admin", "api"])
        let methods = try routes[1].body.block("match")?.body.block("http")?.body.strings("methods")
        #expect(methods == ["GET", "POST"])
        #expect(
            try root.attribute("Routes")?.asArray()?.first
                == ["Match": ["HTTP": ["PathPrefix": "/admin"]], "Destination": ["Service": "admin"]])
    }

    @Test("key = { } maps, key { } blocks and lists of objects read the same way")
    func blockOrObject() throws {
        let body = try parse(
            """
            meta {
              team = "a"
            }
            env = {
              X = "1"
            }
            upstreams = [{ name = "a" }, { name = "b" }]
            from_var = local.obj
            """)
        let context = EvaluationContext(variables: ["local": ["obj": ["name": "v"]]])
        let reader = BodyReader(body: body, context: context)
        #expect(try reader.stringMap("meta").map { $0.map(\.key) } == ["team"])
        #expect(try reader.attribute("meta") == ["team": "a"])
        #expect(try reader.blocks("env").first?.body.string("X") == "1")
        #expect(try reader.blocks("upstreams").map { try $0.body.string("name") } == ["a", "b"])
        #expect(try reader.block("from_var")?.body.string("name") == "v")
        #expect(try reader.blocks("missing").isEmpty)
    }

    @Test("unknown keys, missing labels and bad types are positioned errors")
    func errors() throws {
        let body = try parse(
            """
            group "api" {
              cont = 3
              count = "many"
              netwrk {
              }
            }
            task {
            }
            """)
        let root = BodyReader(body: body, context: EvaluationContext())
        let group = try #require(try root.block("group"))
        #expect(throws: Diagnostics.self) { try group.body.checkKeys(["count", "network", "task"]) }
        do {
            try group.body.checkKeys(["count", "network", "task"])
        } catch {
            #expect(
                error.map(\.description) == [
                    "test.hcl:2:3: unknown attribute \"cont\" in group \"api\"; expected one of: count, network, task",
                    "test.hcl:4:3: unknown block \"netwrk\" in group \"api\"; expected one of: count, network, task",
                ])
        }
        do {
            _ = try group.body.int("count")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "test.hcl:3:11: invalid value for \"count\": a whole number is required, but got string \"many\""
            )
        }
        do {
            _ = try root.block("task")?.requireLabels(1, names: ["name"])
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "test.hcl:7:1: block \"task\" needs 1 label (name) but has 0; write it as task \"name\" { ... }")
        }
        do {
            try root.checkKeys(["group"])
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "test.hcl:7:1: unknown block \"task\" at the top level; expected one of: group")
        }
    }

    @Test("normalized matching treats PathPrefix, path_prefix and pathprefix alike and flags both spellings")
    func normalized() throws {
        #expect(KeyMatching.normalize("Path_Prefix") == "pathprefix")
        let body = try parse("PathPrefix = \"/a\"\npath_prefix = \"/b\"\n")
        let reader = BodyReader(body: body, context: EvaluationContext(), keyMatching: .normalized)
        #expect(throws: Diagnostics.self) { try reader.string("pathPrefix") }
        let exact = BodyReader(body: body, context: EvaluationContext())
        #expect(try exact.string("path_prefix") == "/b")
        #expect(try exact.string("pathPrefix") == nil)
    }
}
