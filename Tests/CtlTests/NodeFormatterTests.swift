import CaravanProto
import Testing

@testable import CtlCommands

@Suite("node status output")
struct NodeFormatterTests {
    static let nodes: [Caravan_V1_NodeListStub] = [
        .with {
            $0.id = Fixture.nodeID
            $0.datacenter = "dc1"
            $0.name = "client-1"
            $0.nodeClass = "large"
            $0.schedulingEligibility = .eligible
            $0.status = .ready
        },
        .with {
            $0.id = "b2c3d4e5-0000-4000-8000-000000000004"
            $0.datacenter = "dc2"
            $0.name = "client-2"
            $0.drain = true
            $0.schedulingEligibility = .ineligible
            $0.status = .down
        },
    ]

    @Test("the node list shows short IDs, <none> for a missing class, drain, eligibility and status")
    func list() {
        #expect(
            NodeFormatter.list(Self.nodes) == """
                ID        DC   Name      Class   Drain  Eligibility  Status
                a1b2c3d4  dc1  client-1  large   false  eligible     ready
                b2c3d4e5  dc2  client-2  <none>  true   ineligible   down
                """)
        #expect(NodeFormatter.list(Self.nodes, verbose: true).contains(Fixture.nodeID))
        #expect(NodeFormatter.list([]) == "No nodes registered")
    }

    @Test("one node: volumes, healthy drivers, attributes only with -verbose, and its allocations")
    func detail() {
        let node = Caravan_V1_Node.with {
            $0.id = Fixture.nodeID
            $0.name = "client-1"
            $0.datacenter = "dc1"
            $0.schedulingEligibility = .eligible
            $0.status = .ready
            $0.hostVolumes = ["mysql": .with { $0.path = "/srv/mysql" }, "certs": .init()]
            $0.drivers = [
                "exec": .with {
                    $0.detected = true
                    $0.healthy = true
                },
                "docker": .with { $0.detected = true },
            ]
            $0.attributes = ["kernel.name": "linux"]
        }
        let allocations = [Fixture.alloc("0f1e2d3c-0000-4000-8000-00000000000a", secondsAgo: 30)]
        let text = NodeFormatter.detail(node, allocations: allocations, now: Fixture.now)
        #expect(
            text == """
                ID            = a1b2c3d4
                Name          = client-1
                Class         = <none>
                DC            = dc1
                Drain         = false
                Eligibility   = eligible
                Status        = ready
                Host Volumes  = certs,mysql
                Drivers       = exec
                Network Modes = host

                Allocations
                ID        Job ID  Task Group  Version  Desired  Status   Created
                0f1e2d3c  web     web         3        run      running  30s ago
                """)
        var bridged = node
        bridged.networkModes = ["host", "bridge", "none"]
        bridged.bridge = .with {
            $0.name = "caravan"; $0.subnet = "172.26.64.0/20"
        }
        let bridgedText = NodeFormatter.detail(bridged, allocations: [], now: Fixture.now)
        #expect(bridgedText.contains("Network Modes = host,bridge,none\nBridge        = caravan 172.26.64.0/20\n"))
        let verbose = NodeFormatter.detail(node, allocations: [], now: Fixture.now, verbose: true)
        #expect(verbose.contains("Attributes\nkernel.name = linux"))
        #expect(verbose.contains("No allocations placed"))
    }
}
