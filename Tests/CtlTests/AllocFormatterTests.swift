import CaravanProto
import Testing

@testable import CtlCommands

@Suite("alloc status output")
struct AllocFormatterTests {
    static func allocation() -> Caravan_V1_Allocation {
        .with {
            $0.id = "0f1e2d3c-0000-4000-8000-00000000000a"
            $0.evalID = Fixture.evalID
            $0.name = "web.web[0]"
            $0.nodeID = Fixture.nodeID
            $0.nodeName = "client-1"
            $0.jobID = "web"
            $0.jobVersion = 3
            $0.clientStatus = .running
            $0.desiredStatus = .run
            $0.createTime = Fixture.timestamp(secondsAgo: 7200 + 180)
            $0.allocatedResources.tasks = [
                "server": .with {
                    $0.cpuMhz = 500
                    $0.memoryMb = 256
                    $0.memoryMaxMb = 512
                }
            ]
            $0.allocatedResources.shared.networks = [
                .with {
                    $0.mode = "bridge"
                    $0.ip = "10.0.0.5"
                    $0.ports = [
                        .with {
                            $0.label = "http"
                            $0.value = 23456
                            $0.to = 8080
                        },
                        .with {
                            $0.label = "metrics"
                            $0.value = 9100
                            $0.hostIp = "127.0.0.1"
                        },
                    ]
                }
            ]
            $0.taskStates = [
                "server": .with {
                    $0.state = .running
                    $0.events = [
                        .with {
                            $0.type = "Received"
                            $0.time = Fixture.timestamp(secondsAgo: 60)
                            $0.displayMessage = "Task received by client"
                        },
                        .with {
                            $0.type = "Started"
                            $0.time = Fixture.timestamp(secondsAgo: 0)
                            $0.message = "Task started by client"
                        },
                    ]
                }
            ]
        }
    }

    @Test("ports show label, host port, the port inside the namespace and the host IP")
    func ports() {
        #expect(
            AllocFormatter.portLines(Self.allocation()) == [
                "Allocation Addresses (mode = \"bridge\")",
                """
                Label    Host Port  To    Host IP
                http     23456      8080  10.0.0.5
                metrics  9100       -     127.0.0.1
                """,
            ])
    }

    @Test("an allocation with a namespace of its own shows its address")
    func allocAddress() {
        var allocation = Self.allocation()
        allocation.networkStatus.address = "172.26.64.2"
        let text = AllocFormatter.detail(allocation, now: Fixture.now)
        #expect(text.contains("Created             = 2h3m ago\nAlloc IP            = 172.26.64.2\n"), "\(text)")
        #expect(!AllocFormatter.detail(Self.allocation(), now: Fixture.now).contains("Alloc IP"))
    }

    @Test("the whole status: record, ports, and each task's resources and events newest first")
    func detail() {
        #expect(
            AllocFormatter.detail(Self.allocation(), now: Fixture.now) == """
                ID                  = 0f1e2d3c
                Eval ID             = 5a1b2c3d
                Name                = web.web[0]
                Node ID             = a1b2c3d4
                Node Name           = client-1
                Job ID              = web
                Job Version         = 3
                Client Status       = running
                Client Description  = -
                Desired Status      = run
                Desired Description = -
                Created             = 2h3m ago

                Allocation Addresses (mode = "bridge")
                Label    Host Port  To    Host IP
                http     23456      8080  10.0.0.5
                metrics  9100       -     127.0.0.1

                Task "server" is "running"
                Task Resources:
                CPU      Memory
                500 MHz  256 MiB (max 512 MiB)

                Recent Events:
                Time                  Type      Description
                2023-11-14T22:13:20Z  Started   Task started by client
                2023-11-14T22:12:20Z  Received  Task received by client
                """)
    }
}
