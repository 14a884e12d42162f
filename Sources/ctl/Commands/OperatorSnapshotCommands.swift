import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// `ctl operator snapshot save FILE`.
struct SnapshotSaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save a point-in-time snapshot of the replicated state to FILE.",
        discussion: """
            The snapshot reflects every write acknowledged before the call (unless -stale). FILE must not exist; \
            it is written only after the whole snapshot arrived and its checksum matched, then synced to disk.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("stale"), help: "Let the asked server answer from its own state.") var stale = false
    @Argument(help: "Where to write the snapshot.") var file: String

    func run() async throws {
        try await runVarCommand {
            guard !FileManager.default.fileExists(atPath: file) else {
                throw VarUsageError("\(file) already exists; choose another name")
            }
            let request = Caravan_V1_SnapshotSaveRequest.with { $0.allowStale = stale }
            let (metadata, data) = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Operator.Client(wrapping: client).snapshotSave(request) { response in
                    try await StateSnapshotFile.collect(response.messages)
                }
            }
            let bytes = try StateSnapshotFile.encodeFile(metadata: metadata, data: data)
            try PEMFileWriter.write(bytes: bytes, to: file, mode: 0o600)
            return CommandOutput(stdout: "State file written to \(file) (index \(metadata.index), \(data.count) bytes)")
        }
    }
}

/// `ctl operator snapshot restore FILE`.
struct SnapshotRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the cluster's replicated state with a saved snapshot.",
        discussion: """
            The file's checksum is verified first. The restore is itself a replicated write: every server \
            replaces its state at the same log position. Writes made since the snapshot are lost.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "A file written by `ctl operator snapshot save`.") var file: String

    func run() async throws {
        try await runVarCommand {
            let (metadata, data) = try SnapshotFileReader.read(file)
            let chunks = StateSnapshotFile.chunks(of: data, metadata: metadata)
            let request = StreamingClientRequest(of: Caravan_V1_SnapshotChunk.self) { writer in
                try await writer.write(contentsOf: chunks)
            }
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Operator.Client(wrapping: client).snapshotRestore(request: request)
            }
            return CommandOutput(stdout: "Snapshot restored (log index \(response.meta.index))")
        }
    }
}

/// `ctl operator snapshot inspect FILE`: reads the file locally, no server needed.
struct SnapshotInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a saved snapshot's index, size, checksum and table sizes, after verifying it.",
        discussion: "Works offline: the file is read and checked here."
    )

    @Flag(name: .hashicorp("json"), help: "Print the API JSON instead of a table.") var json = false
    @Argument(help: "A file written by `ctl operator snapshot save`.") var file: String

    func run() async throws {
        try await runVarCommand {
            let (metadata, data) = try SnapshotFileReader.read(file)
            var info = try StateSnapshotFile.inspect(data)
            info.term = metadata.term
            if json { return CommandOutput(stdout: try info.jsonString()) }
            var rows = [["Index", "\(info.index)"], ["Term", "\(info.term)"], ["Size", "\(info.size)"]]
            rows.append(["SHA-256", info.sha256])
            for (table, count) in info.tables.sorted(by: { $0.key < $1.key }) {
                rows.append(["Table \(table)", "\(count)"])
            }
            return CommandOutput(stdout: ColumnTable.render(header: ["ID", "Value"], rows: rows))
        }
    }
}

enum SnapshotFileReader {
    static func read(_ file: String) throws -> (Caravan_V1_SnapshotMetadata, [UInt8]) {
        guard let contents = FileManager.default.contents(atPath: file) else {
            throw VarUsageError("\(file): cannot read")
        }
        return try StateSnapshotFile.decodeFile([UInt8](contents), name: file)
    }
}
