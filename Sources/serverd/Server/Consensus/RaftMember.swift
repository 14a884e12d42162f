import CaravanProto
import CaravanRPC
import Foundation
import Raft
import SwiftProtobuf

/// How to reach one server of the Raft group. It rides in the core's opaque per-member `context`, so the
/// address book is replicated with the membership itself and survives snapshots.
public struct RaftMember: Sendable, Hashable {
    public var id: NodeID
    public var name: String
    /// Where its Raft service listens (server-to-server traffic).
    public var raftAddress: HostPort
    /// Where its RPC service listens (clients, ctl), so callers can be pointed at the leader.
    public var rpcAddress: HostPort

    public init(id: NodeID, name: String, raftAddress: HostPort, rpcAddress: HostPort) {
        self.id = id
        self.name = name
        self.raftAddress = raftAddress
        self.rpcAddress = rpcAddress
    }

    var wire: Caravan_V1_RaftServer {
        .with {
            $0.id = id
            $0.name = name
            $0.address = raftAddress.description
            $0.rpcAddress = rpcAddress.description
        }
    }

    init(wire: Caravan_V1_RaftServer) throws(CaravanError) {
        guard wire.id != 0 else { throw .invalidArgument("raft server \(wire.name): ID 0 is not valid") }
        self.id = wire.id
        self.name = wire.name
        self.raftAddress = try HostPort(parsing: wire.address)
        self.rpcAddress = try HostPort(parsing: wire.rpcAddress)
    }

    var context: [UInt8] {
        (try? [UInt8](wire.serializedBytes() as Data)) ?? []
    }

    /// The members of `membership` whose context decodes; others are unreachable and reported by the caller.
    static func members(of membership: Membership) -> [NodeID: RaftMember] {
        var members: [NodeID: RaftMember] = [:]
        for id in membership.members {
            guard let bytes = membership.context[id],
                let wire = try? Caravan_V1_RaftServer(serializedBytes: bytes),
                let member = try? RaftMember(wire: wire), member.id == id
            else { continue }
            members[id] = member
        }
        return members
    }
}
