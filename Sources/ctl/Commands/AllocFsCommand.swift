import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// `ctl alloc fs`: browse an allocation's directory on its node, through the servers.
struct AllocFsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fs",
        abstract: "List a directory of an allocation, print one of its files, or follow a file.",
        discussion: """
            PATH is relative to the allocation's directory ("/" or omitted: the directory itself), laid out as \
            Nomad lays it out: alloc/{logs,data,tmp} shared by the tasks, <task>/{local,tmp} per task. A task's \
            secrets directory cannot be read, and ".." or links that lead out of the allocation are refused.
            A directory prints as a table (Mode, Size, Modified Time, Name); a file prints its content. -stat prints \
            one entry's metadata instead; -f keeps printing what is appended to a file until interrupted.
            ALLOC may be a unique prefix of the allocation's ID.
            Exit status: 0 on success, 1 when the call fails (no such allocation or file, path refused, node \
            unreachable), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .hashicorp("stat"), help: "Show the file's or directory's metadata, not its content.")
    var stat = false
    @Flag(name: .customShort("f"), help: "Follow the file: print appended data until interrupted.")
    var follow = false
    @Argument(help: "The allocation's ID (or a unique prefix of it).") var allocID: String
    @Argument(help: "Path inside the allocation directory (default /).") var path: String = "/"

    func validate() throws {
        if stat && follow { throw ValidationError("-stat and -f cannot be combined") }
    }

    func run() async throws {
        try await runVerb {
            let dialer = try connection.dialer()
            let address = try connection.target()
            return try await dialer.withClient(address) { client in
                let allocations = Caravan_V1_Allocations.Client(wrapping: client)
                let info = try await allocations.statFile(
                    .with {
                        $0.allocID = allocID
                        $0.path = path
                    }
                ).info
                if stat {
                    print(AllocFileFormatter.stat(info))
                } else if info.isDir {
                    if follow { throw CaravanError.invalidArgument("\"\(path)\" is a directory; -f follows a file") }
                    let listing = try await allocations.listFiles(
                        .with {
                            $0.allocID = allocID
                            $0.path = path
                        })
                    print(AllocFileFormatter.table(listing.files))
                } else if follow {
                    try await Self.follow(allocations, allocID: allocID, path: path)
                } else {
                    try await allocations.catFile(
                        .with {
                            $0.allocID = allocID
                            $0.path = path
                        }
                    ) { response in
                        for try await chunk in response.messages { FileHandle.standardOutput.write(chunk.data) }
                    }
                }
                return 0
            }
        }
    }

    /// Prints the file and then what is appended; notes truncation on stderr; ends when the file is deleted.
    static func follow<Transport: ClientTransport>(
        _ allocations: Caravan_V1_Allocations.Client<Transport>, allocID: String, path: String
    ) async throws {
        let request = Caravan_V1_StreamFileRequest.with {
            $0.allocID = allocID
            $0.path = path
            $0.origin = .start
            $0.follow = true
        }
        try await allocations.streamFile(request, options: FollowCall.options) { response in
            for try await chunk in response.messages {
                switch chunk.fileEvent {
                case .truncated:
                    FileHandle.standardError.write(Data("ctl: \(chunk.file) was truncated\n".utf8))
                case .deleted:
                    FileHandle.standardError.write(Data("ctl: \(chunk.file) was deleted\n".utf8))
                    return
                default:
                    FileHandle.standardOutput.write(chunk.data)
                }
            }
        }
    }
}
