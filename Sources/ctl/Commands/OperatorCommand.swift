import ArgumentParser

/// `ctl operator`: cluster maintenance, as `nomad operator`.
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Maintain the server cluster: Raft membership and snapshots of the state.",
        subcommands: [OperatorRaftCommand.self, OperatorSnapshotCommand.self]
    )
}

/// `ctl operator raft`.
struct OperatorRaftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft",
        abstract: "Inspect and change the Raft peer set.",
        subcommands: [RaftListPeersCommand.self, RaftRemovePeerCommand.self, RaftTransferLeadershipCommand.self]
    )
}

/// `ctl operator snapshot`.
struct OperatorSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save, restore and inspect point-in-time snapshots of the replicated state.",
        subcommands: [SnapshotSaveCommand.self, SnapshotRestoreCommand.self, SnapshotInspectCommand.self]
    )
}
