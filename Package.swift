// swift-tools-version: 6.1
import PackageDescription

// Caravan: a workload orchestrator with a built-in service mesh.
// Library targets hold the logic; executables only parse flags and wire things together.

let grpcCore = Target.Dependency.product(name: "GRPCCore", package: "grpc-swift-2")
let grpcTransport = Target.Dependency.product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")
let grpcProtobuf = Target.Dependency.product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")
let swiftProtobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let asn1 = Target.Dependency.product(name: "SwiftASN1", package: "swift-asn1")
let x509 = Target.Dependency.product(name: "X509", package: "swift-certificates")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "caravan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "serverd", targets: ["serverd"]),
        .executable(name: "clientd", targets: ["clientd"]),
        .executable(name: "meshd", targets: ["meshd"]),
        .executable(name: "proxyd", targets: ["proxyd"]),
        .executable(name: "ctl", targets: ["ctl"]),
        .executable(name: "executor", targets: ["executor"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    ],
    targets: [
        // MARK: Shared
        .target(name: "HCL", path: "Sources/Shared/HCL"),
        .target(
            name: "Spec",
            dependencies: ["HCL", "CaravanProto", swiftProtobuf],
            path: "Sources/Shared/Spec"
        ),
        .target(
            name: "CaravanProto",
            dependencies: [swiftProtobuf, grpcCore, grpcProtobuf],
            path: "Sources/Shared/Proto"
        ),
        .target(
            name: "CaravanRPC",
            dependencies: [
                "CaravanProto", grpcCore, grpcTransport, grpcProtobuf, nioSSL, x509, asn1, crypto, logging,
                serviceLifecycle,
            ],
            path: "Sources/Shared/RPC"
        ),
        .target(
            name: "CaravanDaemon",
            dependencies: [
                "CaravanRPC", "CaravanProto", "HCL", "Spec", grpcCore, argumentParser, logging, serviceLifecycle,
            ],
            path: "Sources/Shared/Daemon"
        ),

        // MARK: serverd
        .target(
            name: "CaravanServer",
            dependencies: [
                "CaravanDaemon", "CaravanRPC", "CaravanProto", "Raft", "RaftStore", "State", "Scheduler", "Spec",
                grpcCore, grpcTransport, swiftProtobuf, argumentParser, logging, crypto,
            ],
            path: "Sources/serverd/Server"
        ),
        .executableTarget(
            name: "serverd", dependencies: ["CaravanServer", "CaravanDaemon"], path: "Sources/serverd/Main"),
        .target(name: "Raft", path: "Sources/serverd/Raft"),
        .target(name: "RaftStore", dependencies: ["Raft", grdb, crypto], path: "Sources/serverd/RaftStore"),
        .target(
            name: "State",
            dependencies: ["CaravanProto", "CaravanRPC", "Scheduler", grpcCore, swiftProtobuf, crypto],
            path: "Sources/serverd/State"
        ),

        .target(name: "Scheduler", dependencies: ["CaravanProto", swiftProtobuf], path: "Sources/serverd/Scheduler"),

        // MARK: clientd
        .target(
            name: "ClientAgent",
            dependencies: [
                "CaravanDaemon", "CaravanRPC", "CaravanProto", "ClientDrivers", "ClientFS", "ClientNetwork", "Spec",
                grpcCore, grpcTransport, swiftProtobuf, argumentParser, logging, grdb,
            ],
            path: "Sources/clientd/Agent"
        ),
        // The per-task supervisor process: kept free of gRPC so each running task costs little memory.
        .target(name: "TaskExecutor", path: "Sources/clientd/Executor/Library"),
        .executableTarget(name: "executor", dependencies: ["TaskExecutor"], path: "Sources/clientd/Executor/Main"),
        .target(
            name: "ClientDrivers",
            dependencies: ["TaskExecutor", "CaravanProto", swiftProtobuf, logging],
            path: "Sources/clientd/Drivers"
        ),
        // Network namespaces, veth pairs, the bridge and Caravan's iptables chains, driven through `ip`/`iptables`.
        .target(name: "ClientNetwork", dependencies: ["TaskExecutor", logging], path: "Sources/clientd/Network"),
        .target(
            name: "ClientFS",
            dependencies: ["CaravanProto", "CaravanRPC", grpcCore, swiftProtobuf, logging],
            path: "Sources/clientd/FS"
        ),
        .executableTarget(
            name: "clientd", dependencies: ["ClientAgent", "CaravanDaemon"], path: "Sources/clientd/Main"),

        // MARK: meshd and proxyd
        .target(
            name: "Mesh",
            dependencies: [
                "CaravanDaemon", "CaravanRPC", "CaravanProto", "Spec", grpcCore, grpcTransport, swiftProtobuf,
                argumentParser, logging, x509, crypto, serviceLifecycle,
            ],
            path: "Sources/meshd/Mesh"
        ),
        .executableTarget(name: "meshd", dependencies: ["Mesh", "CaravanDaemon"], path: "Sources/meshd/Main"),
        .target(
            name: "Proxy",
            dependencies: [
                "CaravanDaemon", "CaravanRPC", "CaravanProto", grpcCore, grpcTransport, swiftProtobuf, argumentParser,
                crypto, logging,
            ],
            path: "Sources/meshd/Proxy"
        ),
        .executableTarget(name: "proxyd", dependencies: ["Proxy", "CaravanDaemon"], path: "Sources/meshd/ProxyMain"),

        // MARK: ctl
        .target(
            name: "CtlCommands",
            dependencies: [
                "CaravanRPC", "CaravanProto", "CaravanDaemon", "HCL", "Spec", "State", "Scheduler", grpcCore,
                swiftProtobuf, argumentParser, x509,
            ],
            path: "Sources/ctl/Commands"
        ),
        .executableTarget(name: "ctl", dependencies: ["CtlCommands", "CaravanDaemon"], path: "Sources/ctl/Main"),

        // MARK: benchmarks
        .executableTarget(
            name: "bench",
            dependencies: [
                "CaravanRPC", "CaravanDaemon", "CaravanProto", "ClientFS", "ClientNetwork", "HCL", "Spec", "Mesh",
                "Proxy",
                grpcCore, grpcTransport, argumentParser,
            ],
            path: "Sources/bench"
        ),

        // MARK: tests
        .testTarget(name: "HCLTests", dependencies: ["HCL"], path: "Tests/HCLTests"),
        .testTarget(name: "RaftTests", dependencies: ["Raft"], path: "Tests/RaftTests"),
        .testTarget(
            name: "MeshTests",
            dependencies: ["Mesh", "Spec", "HCL", "CaravanProto", "CaravanRPC", "TestSupport", swiftProtobuf],
            path: "Tests/MeshTests"
        ),
        .testTarget(
            name: "SchedulerTests", dependencies: ["Scheduler", "CaravanProto", swiftProtobuf],
            path: "Tests/SchedulerTests"),
        .target(name: "Linearizability", path: "Tests/Linearizability"),
        .testTarget(
            name: "LinearizabilityTests", dependencies: ["Linearizability"], path: "Tests/LinearizabilityTests"),
        .testTarget(
            name: "RaftStoreTests", dependencies: ["RaftStore", "Raft", "TestSupport"], path: "Tests/RaftStoreTests"),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "CaravanServer", "State", "Raft", "RaftStore", "CaravanRPC", "CaravanProto", "TestSupport", logging,
            ],
            path: "Tests/ServerTests"
        ),
        .testTarget(
            name: "StateTests",
            dependencies: [
                "State", "Scheduler", "CaravanServer", "CtlCommands", "CaravanProto", "CaravanRPC", "TestSupport",
            ],
            path: "Tests/StateTests"
        ),
        .testTarget(
            name: "CtlTests",
            dependencies: ["CtlCommands", "CaravanProto", "Scheduler", "HCL", swiftProtobuf, argumentParser],
            path: "Tests/CtlTests"
        ),
        .testTarget(
            name: "SpecTests",
            dependencies: ["Spec", "HCL", "CaravanProto", swiftProtobuf],
            path: "Tests/SpecTests",
            resources: [.copy("Fixtures")]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["CaravanRPC", "CaravanProto", "TaskExecutor", grpcCore, grpcProtobuf, x509, crypto],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "CaravanRPC", "CaravanProto", "CaravanDaemon", "TestSupport", grpcCore, grpcTransport, grpcProtobuf,
                x509,
                asn1, crypto,
            ],
            path: "Tests/RPCTests"
        ),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "CaravanDaemon", "CaravanServer", "ClientAgent", "Mesh", "Proxy", "TestSupport", "HCL", argumentParser,
            ],
            path: "Tests/DaemonTests"
        ),
        .testTarget(
            name: "ClientDriverTests",
            dependencies: ["ClientDrivers", "TaskExecutor", "CaravanProto", "TestSupport", swiftProtobuf],
            path: "Tests/ClientDriverTests"
        ),
        .testTarget(
            name: "ClientFSTests",
            dependencies: ["ClientFS", "CaravanProto", "CaravanRPC", "TestSupport", grpcCore, grpcTransport],
            path: "Tests/ClientFSTests"
        ),
        .testTarget(
            name: "ClientNetworkTests", dependencies: ["ClientNetwork", "TestSupport"], path: "Tests/ClientNetworkTests"
        ),
        .testTarget(
            name: "ClientAgentTests",
            dependencies: [
                "ClientAgent", "ClientDrivers", "ClientFS", "ClientNetwork", "CaravanProto", "Spec", "TestSupport",
                swiftProtobuf,
            ],
            path: "Tests/ClientAgentTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport", "CaravanRPC", "CaravanProto", "ClientFS", "ClientNetwork", "Linearizability", "Proxy",
                grpcCore,
                grpcTransport,
                x509,
                "serverd", "clientd", "executor", "meshd", "proxyd", "ctl",
            ],
            path: "Tests/IntegrationTests",
            exclude: ["python"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
