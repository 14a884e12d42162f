import CaravanDaemon
import CaravanProto
import CaravanRPC
import ClientDrivers
import ClientFS
import ClientNetwork
import Foundation
import Logging
import Spec

/// Assembles clientd from its options: the state store, the node's fingerprint, the drivers, the allocation
/// file-system API and the node agent. Problems a person must fix (a missing host-volume path, an unwritable
/// data dir, no executor binary) stop clientd at startup with the reason.
public enum ClientDaemon {
    public static func runner(_ options: ClientOptions) throws -> DaemonRunner {
        var details: [String: String] = [:]
        if let servers = try options.servers.detail() { details["servers"] = servers }
        let description = AgentDescription(
            name: options.agent.nodeName,
            role: .client,
            region: options.agent.region,
            datacenter: options.agent.datacenter,
            details: details
        )
        let layout = ClientLayout(options: options)
        let servers = try options.servers.addresses()
        return DaemonRunner(
            description: description, options: options.agent, port: options.port, certificateRole: .client,
            services: [ClientFSService(allocRoot: layout.allocRoot)],
            components: { context in
                let parts = try assemble(options, layout: layout)
                let pool = ServerPool(servers: servers, tls: context.tls, region: options.agent.region)
                let agent = ClientAgentService(
                    node: parts.node, advertise: parts.advertise, status: context.status, pool: pool,
                    store: parts.store, factory: parts.factory, gcMaxAllocs: options.gcMaxAllocs,
                    logger: context.logger)
                return DaemonComponents(background: [agent])
            })
    }

    struct Parts {
        var node: Caravan_V1_Node
        var advertise: String
        var store: ClientStateStore
        var factory: AllocRunnerFactory
    }

    static func assemble(_ options: ClientOptions, layout: ClientLayout) throws -> Parts {
        let executor = try layout.executorPath()
        do {
            try FileManager.default.createDirectory(
                atPath: layout.allocRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            throw CaravanError.invalidArgument(
                "cannot create the allocation directory root \(layout.allocRoot): \(error)")
        }
        let store: ClientStateStore
        do {
            store = try ClientStateStore(directory: layout.stateDir)
        } catch {
            throw CaravanError.invalidArgument("client state: \(error)")
        }
        let identity = try store.nodeIdentity()
        let volumes = try volumesOrThrow(options)
        let advertise = options.advertise ?? HostAddresses.advertise(bind: options.agent.bind)
        let logger = Logger(label: "clientd")
        let network = try networkManager(options, store: store, logger: logger)
        let facts: NodeFacts
        do {
            facts = try NodeFingerprint().facts(
                advertiseAddress: advertise, dataDir: layout.dataDir,
                hostVolumes: volumes.mapValues {
                    AgentConfig.HostVolume(name: $0.name, path: $0.path, readOnly: $0.readOnly)
                },
                networkModes: network.modes)
        } catch {
            throw CaravanError.invalidArgument("\(error)")
        }
        let drivers: [String: any TaskDriver] = [
            "exec": ExecDriver(executorPath: executor),
            "raw_exec": RawExecDriver(enabled: options.enableRawExec, executorPath: executor),
        ]
        var node = Caravan_V1_Node()
        node.id = identity.id
        node.secretID = identity.secret
        node.name = options.agent.nodeName
        node.datacenter = options.agent.datacenter
        node.nodeClass = options.nodeClass
        node.nodePool = options.nodePool
        node.meta = options.metaMap
        facts.apply(to: &node)
        node.drivers = drivers.mapValues { $0.fingerprint() }
        if let manager = network.manager {
            node.bridge = Caravan_V1_BridgeNetworkInfo.with {
                $0.name = manager.configuration.bridge
                $0.subnet = manager.configuration.subnet.description
                $0.capacity = UInt32(clamping: manager.configuration.subnet.capacity)
            }
        }
        node.computedClass = ComputedClass.of(node)
        let factory = AllocRunnerFactory(
            node: node, region: options.agent.region, drivers: drivers, store: store, allocRoot: layout.allocRoot,
            taskStateRoot: layout.stateDir + "/tasks", hostVolumes: volumes, network: network.manager, logger: logger)
        return Parts(node: node, advertise: advertise, store: store, factory: factory)
    }

    /// The network manager and the modes it offers; host only (with the reason logged) when this node cannot make
    /// namespaces.
    static func networkManager(_ options: ClientOptions, store: ClientStateStore, logger: Logger) throws -> (
        manager: NetworkManager?, modes: [String]
    ) {
        let capabilities = NetworkCapabilities.probe()
        guard capabilities.modes.contains("bridge") else {
            logger.warning(
                "bridge and none network modes are unavailable",
                metadata: ["reason": "\(capabilities.unavailableReason ?? "unknown")"])
            return (nil, capabilities.modes)
        }
        let configuration: NetworkManager.Configuration
        do {
            configuration = try options.bridgeNetwork()
        } catch {
            throw CaravanError.invalidArgument(error.message)
        }
        do {
            return (try NetworkManager(configuration: configuration, store: store, logger: logger), capabilities.modes)
        } catch {
            throw CaravanError.invalidArgument("client state: \(error)")
        }
    }

    static func volumesOrThrow(_ options: ClientOptions) throws -> [String: HostVolumeOption] {
        do {
            return try options.volumes()
        } catch {
            throw CaravanError.invalidArgument(error.message)
        }
    }
}

/// Where clientd keeps things under its data dir.
struct ClientLayout: Sendable {
    let dataDir: String
    /// `<data_dir>/alloc` unless `-alloc-dir` says otherwise.
    let allocRoot: String
    /// `<data_dir>/client`: the state database and the executors' task state.
    let stateDir: String
    let explicitExecutor: String?

    init(options: ClientOptions) {
        dataDir = options.agent.dataDir ?? "."
        allocRoot = options.allocDir ?? dataDir + "/alloc"
        stateDir = dataDir + "/client"
        explicitExecutor = options.executorPath
    }

    /// `-executor`, else `executor` next to the running clientd binary; it must be executable.
    func executorPath() throws -> String {
        let path =
            explicitExecutor
            ?? URL(
                fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                    ?? CommandLine.arguments[0]
            ).deletingLastPathComponent().appendingPathComponent("executor").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CaravanError.invalidArgument(
                "executor binary \(path) is missing or not executable (install it next to clientd, or pass -executor)")
        }
        return path
    }
}
