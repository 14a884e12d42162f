import CaravanProto
import CaravanRPC
import Crypto
import Foundation
import Logging
import State

/// A leader duty: creates the Connect CA (root, root key, workload-token key, trust domain) once, when the cluster
/// has none. Two leaders racing at bootstrap are harmless: the state machine keeps the first CA.
struct ConnectCABootstrap: Sendable {
    let cluster: any ClusterAccess
    let logger: Logger
    let now: @Sendable () -> Date

    /// Returns only when cancelled (leadership lost); the CA is created in the first moments of the term.
    func run() async {
        while !Task.isCancelled {
            do {
                if try await cluster.latestView().cluster.mesh.connectCA == nil {
                    try await initialize()
                }
                break
            } catch {
                logger.warning("could not create the Connect CA; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    private func initialize() async throws {
        let time = now()
        let trustDomain = ConnectCARoot.generateTrustDomain()
        let generated = try ConnectCARoot.generate(trustDomain: trustDomain, name: "Caravan CA 1", now: time)
        var ca = Caravan_V1_ConnectCAState()
        ca.trustDomain = trustDomain
        ca.roots = [generated.root]
        ca.rootKeys = [generated.root.id: generated.keyPEM]
        ca.tokenKey = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        var command = StateCommands.envelope(at: time)
        command.initConnectCa = .with { $0.ca = ca }
        let applied = try await cluster.proposeAsLeader(command)
        if let refusal = applied.result.refusal, refusal.code != .alreadyExists { throw refusal }
        logger.info("Connect CA created", metadata: ["trust_domain": "\(trustDomain)", "root": "\(generated.root.id)"])
    }
}
