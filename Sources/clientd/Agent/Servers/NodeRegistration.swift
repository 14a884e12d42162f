import CaravanProto
import CaravanRPC
import Foundation
import Logging
import SwiftProtobuf

/// Announces this node to the servers and keeps it alive. Registration is retried until a server accepts it;
/// heartbeats follow at a third of the TTL the servers ask for, and a server that no longer knows the node (its
/// state was rebuilt) gets a fresh registration.
struct NodeRegistration: Sendable {
    let pool: ServerPool
    let node: Caravan_V1_Node
    let logger: Logger

    /// Returns the heartbeat TTL once a server accepted the node; throws only when cancelled.
    func register() async throws -> Duration {
        var delay = Duration.milliseconds(250)
        let node = self.node
        while true {
            try Task.checkCancellation()
            do {
                let response = try await pool.nodes { try await $0.register(.with { $0.node = node }) }
                await pool.learn(response.servers)
                logger.info("node registered", metadata: ["node_id": "\(node.id)", "leader": "\(response.leader)"])
                return Self.duration(response.heartbeatTtl)
            } catch let error as CaravanError where error.code == .permissionDenied || error.code == .invalidArgument {
                // The servers refuse this node as it is: retrying fast would only repeat the refusal.
                logger.error("servers refuse registration", metadata: ["error": "\(error.message)"])
                delay = .seconds(30)
            } catch {
                logger.warning("cannot register yet", metadata: ["error": "\(RPCErrorText.describe(error))"])
                delay = min(delay * 2, .seconds(5))
            }
            try await Task.sleep(for: delay)
        }
    }

    /// Heartbeats until cancelled.
    func keepAlive(ttl initial: Duration) async throws {
        var ttl = initial
        let node = self.node
        while true {
            try await Task.sleep(for: max(ttl / 3, .milliseconds(100)))
            do {
                let response = try await pool.nodes { client in
                    try await client.heartbeat(
                        .with {
                            $0.nodeID = node.id
                            $0.secretID = node.secretID
                            $0.status = .ready
                        })
                }
                await pool.learn(response.servers)
                ttl = Self.duration(response.heartbeatTtl)
            } catch let error as CaravanError where error.code == .notFound {
                logger.warning("servers forgot this node; registering again")
                ttl = try await register()
            } catch {
                logger.warning("heartbeat failed", metadata: ["error": "\(RPCErrorText.describe(error))"])
                ttl = .seconds(3)
            }
        }
    }

    static func duration(_ value: Google_Protobuf_Duration) -> Duration {
        let ttl = swiftDuration(value)
        return ttl > .zero ? ttl : .seconds(10)
    }
}
