import CaravanProto
import Testing

@testable import CtlCommands

@Suite("service output and requests")
struct ServiceFormatterTests {
    static func instance(
        _ id: String, alloc: String, address: String, port: Int32, health: Caravan_V1_HealthStatus,
        tags: [String] = [], sidecarPort: Int32? = nil
    ) -> Caravan_V1_ServiceInstance {
        .with {
            $0.id = id
            $0.name = "api"
            $0.allocID = alloc
            $0.nodeID = Fixture.nodeID
            $0.nodeName = "worker-1"
            $0.address = address
            $0.port = port
            $0.health = health
            $0.tags = tags
            if let sidecarPort {
                $0.connect = .with {
                    $0.sidecarAddress = address
                    $0.sidecarPort = sidecarPort
                }
            }
        }
    }

    @Test("list: services sorted by name with tags, counts and whether any instance is in the mesh")
    func list() {
        let services: [String: Caravan_V1_ServiceSummary] = [
            "web": .with {
                $0.name = "web"
                $0.tags = ["public", "v2"]
                $0.instances = 3
                $0.passing = 2
                $0.connect = true
            },
            "api": .with {
                $0.name = "api"
                $0.instances = 2
                $0.passing = 2
                $0.connect = true
            },
            "redis": .with {
                $0.name = "redis"
                $0.tags = ["cache"]
                $0.instances = 1
            },
        ]
        #expect(
            ServiceFormatter.list(services) == """
                Name   Tags       Instances  Passing  Connect
                api    -          2          2        true
                redis  cache      1          0        false
                web    public,v2  3          2        true
                """)
        #expect(ServiceFormatter.list([:]) == "No services registered")
    }

    @Test("info: a row per instance with short IDs, node, address:port, health, tags and sidecar address")
    func info() {
        let instances = [
            Self.instance(
                "6f1c2a3b-api-http", alloc: "0f1e2d3c-0000-4000-8000-000000000010", address: "172.26.64.5",
                port: 9090, health: .passing, tags: ["v1"], sidecarPort: 21000),
            Self.instance(
                "9a8b7c6d-api-http", alloc: "1a2b3c4d-0000-4000-8000-000000000011", address: "172.26.64.9",
                port: 9090, health: .critical),
        ]
        #expect(
            ServiceFormatter.instances(instances, service: "api") == """
                ID        Alloc ID  Node      Address           Health    Tags  Sidecar
                6f1c2a3b  0f1e2d3c  worker-1  172.26.64.5:9090  passing   v1    172.26.64.5:21000
                9a8b7c6d  1a2b3c4d  worker-1  172.26.64.9:9090  critical  -     -
                """)
        #expect(ServiceFormatter.instances([], service: "api") == "No instances of service \"api\"")
    }

    @Test("a native instance says so; an IPv6 address is bracketed")
    func nativeAndIPv6() {
        var native = Self.instance("i", alloc: "a", address: "fd00::5", port: 8443, health: .warning)
        native.connect.native = true
        #expect(ServiceFormatter.sidecar(native) == "native")
        #expect(ServiceFormatter.hostPort(native.address, native.port) == "[fd00::5]:8443")
    }

    @Test("info's flags become the catalog query: -passing, every -tag, -connect")
    func request() throws {
        let command = try #require(
            try CtlCommand.parseAsRoot(["service", "info", "-passing", "-tag", "v1", "-tag", "eu", "-connect", "api"])
                as? ServiceInfoCommand)
        let request = command.request
        #expect(request.name == "api")
        #expect(request.passingOnly && request.connect)
        #expect(request.tags == ["v1", "eu"])
    }
}
