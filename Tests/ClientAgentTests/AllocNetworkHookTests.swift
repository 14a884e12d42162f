import CaravanProto
import ClientNetwork
import Logging
import Testing

@testable import ClientAgent

/// What the alloc runner asks the network manager for, derived from the allocation the scheduler made.
@Suite("allocation network hook")
struct AllocNetworkHookTests {
    func allocation(mode: String, ports: [Caravan_V1_AllocatedPort] = []) -> Caravan_V1_Allocation {
        .with {
            $0.id = "0b5c3f2e-1111-2222-3333-444455556666"
            $0.allocatedResources.shared.networks = [
                .with {
                    $0.mode = mode
                    $0.ip = "10.0.0.7"
                    $0.ports = ports
                }
            ]
        }
    }

    func hook(_ allocation: Caravan_V1_Allocation) -> AllocNetworkHook {
        AllocNetworkHook(manager: nil, allocation: allocation, logger: Logger(label: "test"))
    }

    @Test("bridge mode forwards each port to `to`, or to the host port itself when `to` is unset")
    func bridgePorts() throws {
        let ports: [Caravan_V1_AllocatedPort] = [
            .with {
                $0.label = "http"; $0.value = 9090; $0.to = 9090
            },
            .with {
                $0.label = "admin"; $0.value = 23456; $0.to = 8081
            },
            .with {
                $0.label = "raw"; $0.value = 24000
            },
            .with {
                $0.label = "pinned"; $0.value = 25000; $0.to = 80; $0.hostIp = "10.0.0.7"
            },
        ]
        let request = try #require(try hook(allocation(mode: "bridge", ports: ports)).request())
        #expect(request.mode == .bridge)
        #expect(
            request.ports == [
                PortMapping(label: "http", hostPort: 9090, containerPort: 9090),
                PortMapping(label: "admin", hostPort: 23456, containerPort: 8081),
                PortMapping(label: "raw", hostPort: 24000, containerPort: 24000),
                PortMapping(label: "pinned", hostPort: 25000, containerPort: 80, hostIP: IPv4Address("10.0.0.7")),
            ])
    }

    @Test("host mode (and a group without a network) needs no namespace; none mode gets one without ports")
    func modes() throws {
        #expect(try hook(allocation(mode: "host")).request() == nil)
        #expect(try hook(Caravan_V1_Allocation()).request() == nil)
        let none = try #require(try hook(allocation(mode: "none")).request())
        #expect(none.mode == .none && none.ports.isEmpty)
    }

    @Test("unsupported modes, bad host addresses and a node without namespaces are setup failures with the reason")
    func failures() async throws {
        #expect(throws: TaskSetupError.self) { try hook(allocation(mode: "cni/weave")).request() }
        let badIP: Caravan_V1_AllocatedPort = .with {
            $0.label = "http"; $0.value = 1; $0.hostIp = "fd00::1"
        }
        #expect(throws: TaskSetupError.self) { try hook(allocation(mode: "bridge", ports: [badIP])).request() }
        do {
            _ = try await hook(allocation(mode: "bridge")).setUp()
            Issue.record("a node without a network manager set up a bridge network")
        } catch {
            #expect(error.description.contains("root"), "\(error)")
        }
        // Host mode works anywhere.
        #expect(try await hook(allocation(mode: "host")).setUp() == nil)
    }
}
