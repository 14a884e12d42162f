import ArgumentParser
import CaravanProto
import CaravanRPC

/// `ctl operator raft list-peers`: the Raft membership as the asked server sees it.
struct RaftListPeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-peers",
        abstract: "List the servers of the Raft group, which one leads, and which vote.",
        discussion: """
            Any server answers; on the leader, Last Index shows how far each peer has replicated (elsewhere only \
            the asked server's own). Exit status: 0 on success, 1 when the call fails.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("json"), help: "Print the API JSON instead of a table.") var json = false

    func run() async throws {
        try await runVarCommand {
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Operator.Client(wrapping: client).raftListPeers(.init())
            }
            if json { return CommandOutput(stdout: try response.jsonString()) }
            let rows = response.servers.map { peer in
                [
                    peer.node, peer.id, peer.address, peer.leader ? "leader" : "follower", "\(peer.voter)",
                    "\(peer.lastIndex)", "\(peer.healthy)",
                ]
            }
            let header = ["Node", "ID", "Address", "State", "Voter", "Last Index", "Healthy"]
            return CommandOutput(stdout: ColumnTable.render(header: header, rows: rows))
        }
    }
}

/// `ctl operator raft remove-peer`.
struct RaftRemovePeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-peer",
        abstract: "Remove a (dead) server from the Raft group.",
        discussion: """
            Give exactly one of -peer-id or -peer-address (as list-peers shows them). A leader that removes \
            itself steps down once the change commits. Exit status: 0 on success, 1 when the call fails, 64 for \
            bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .hashicorp("peer-id"), help: "The server's Raft ID (16 hex digits).") var peerID: String?
    @Option(name: .hashicorp("peer-address"), help: "The server's Raft address, host:port.") var peerAddress: String?

    func validate() throws {
        guard (peerID == nil) != (peerAddress == nil) else {
            throw ValidationError("give exactly one of -peer-id or -peer-address")
        }
    }

    func run() async throws {
        try await runVarCommand {
            var request = Caravan_V1_RaftRemovePeerRequest()
            if let peerID { request.id = peerID }
            if let peerAddress { request.address = peerAddress }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Operator.Client(wrapping: client).raftRemovePeer(request)
            }
            let peer = peerID ?? peerAddress ?? ""
            return CommandOutput(stdout: "Removed peer \(peer) (log index \(response.meta.index))")
        }
    }
}

/// `ctl operator raft transfer-leadership`.
struct RaftTransferLeadershipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer-leadership",
        abstract: "Hand leadership to another voter.",
        discussion: """
            Without -peer-id the most up-to-date voter takes over. Returns once the new leader is known. \
            Exit status: 0 on success, 1 when the call fails.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .hashicorp("peer-id"), help: "The voter to hand leadership to (16 hex digits).") var peerID: String?

    func run() async throws {
        try await runVarCommand {
            let request = Caravan_V1_RaftTransferLeadershipRequest.with { $0.targetID = peerID ?? "" }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Operator.Client(wrapping: client).raftTransferLeadership(request)
            }
            return CommandOutput(stdout: "Leadership transferred to \(response.leaderID)")
        }
    }
}
