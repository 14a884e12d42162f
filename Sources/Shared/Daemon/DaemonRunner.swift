import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Logging
import ServiceLifecycle

/// Starts a daemon the same way for every role: check TLS material, bind the mTLS gRPC server with the Agent
/// service and the role's own services, log the bound address, and stop gracefully on SIGTERM/SIGINT.
public struct DaemonRunner: Sendable {
    public var description: AgentDescription
    public var options: AgentOptions
    public var port: Int
    /// The role this daemon's certificate must carry (nil: any Caravan agent role).
    public var certificateRole: AgentRole?
    public var services: [any RegistrableRPCService]
    /// Builds the role's own parts once TLS material and the data dir are checked (nil: none).
    public var components: (@Sendable (DaemonContext) async throws -> DaemonComponents)?

    public init(
        description: AgentDescription,
        options: AgentOptions,
        port: Int,
        certificateRole: AgentRole?,
        services: [any RegistrableRPCService] = [],
        components: (@Sendable (DaemonContext) async throws -> DaemonComponents)? = nil
    ) {
        self.description = description
        self.options = options
        self.port = port
        self.certificateRole = certificateRole
        self.services = services
        self.components = components
    }

    /// Runs until a shutdown signal. Startup problems throw a `CaravanError` with a one-line message.
    public func run(logger: Logger) async throws {
        let tls = try TLSMaterial(files: options.tlsFiles)
        if let certificateRole {
            try tls.require(role: certificateRole, region: options.region)
        } else if !tls.identities.contains(where: { $0.region == options.region }) {
            throw CaravanError.invalidArgument(
                "\(options.certFile): certificate carries no Caravan role in region \(options.region)"
            )
        }
        if let dataDir = options.dataDir { try Self.prepareDataDir(dataDir) }
        let address = options.listenAddress(port: port)
        let status = AgentStatusService(description: description)
        let context = DaemonContext(tls: tls, options: options, status: status, logger: logger)
        let extra = try await components?(context) ?? DaemonComponents()
        let server = RPCServer(
            bind: address,
            tls: tls,
            region: options.region,
            services: [status] + services + extra.services
        )
        let rpc = RPCService(server: server, status: status, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: rpc)] + extra.background.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info(
            "starting",
            metadata: [
                "version": "\(CaravanVersion.current)", "name": "\(description.name)",
                "region": "\(description.region)", "dc": "\(description.datacenter)",
            ]
        )
        try await group.run()
        logger.info("stopped")
    }

    static func prepareDataDir(_ path: String) throws(CaravanError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .invalidArgument("-data-dir \(path): not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: path,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw .invalidArgument("-data-dir \(path): cannot create: \(error.localizedDescription)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw .invalidArgument("-data-dir \(path): not writable")
        }
    }
}

/// What a daemon has at hand when it builds its own parts.
public struct DaemonContext: Sendable {
    public let tls: TLSMaterial
    public let options: AgentOptions
    /// Knows the bound RPC address once the server listens.
    public let status: AgentStatusService
    public let logger: Logger
}

/// A role's own parts: more gRPC services on the daemon's port, and background services (which stop, in
/// reverse order, on SIGTERM/SIGINT before the gRPC server does).
public struct DaemonComponents: Sendable {
    public var services: [any RegistrableRPCService]
    public var background: [any Service]

    public init(services: [any RegistrableRPCService] = [], background: [any Service] = []) {
        self.services = services
        self.background = background
    }
}

/// The gRPC server as a lifecycle service: serves until graceful shutdown, letting in-flight calls finish.
struct RPCService: Service {
    let server: RPCServer
    let status: AgentStatusService
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.serve() }
                group.addTask {
                    // Fails only when binding failed; serve() reports that error itself.
                    guard let bound = try? await server.listeningAddress() else { return }
                    status.setBoundAddress(bound)
                    logger.info("listening", metadata: ["address": "\(bound)"])
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            logger.info("shutting down: finishing in-flight calls")
            server.beginGracefulShutdown()
        }
    }
}

extension DaemonRunner {
    /// Runs the daemon; on failure logs one line naming the problem and exits non-zero.
    public func runOrExit(logger: Logger) async throws {
        do {
            try await run(logger: logger)
        } catch {
            logger.error("\(RPCErrorText.describe(error))")
            throw ExitCode.failure
        }
    }
}
