import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore

/// Serves `caravan.v1.ClientFS` on clientd: listings, metadata, reads and followed streams of the files in
/// allocation directories under `allocRoot`, every path jailed to its allocation (see `PathJail`).
public struct ClientFSService: Caravan_V1_ClientFS.ServiceProtocol {
    /// How followed streams poll and keep idle connections alive.
    public struct Settings: Sendable {
        /// How often a followed file is looked at for new data.
        public var pollInterval: Duration
        /// An idle followed stream sends an empty frame this often, so proxies keep it open.
        public var heartbeatInterval: Duration
        /// Largest `data` in one frame.
        public var chunkSize: Int

        public init(
            pollInterval: Duration = .milliseconds(200), heartbeatInterval: Duration = .seconds(10),
            chunkSize: Int = 64 * 1024
        ) {
            self.pollInterval = pollInterval
            self.heartbeatInterval = heartbeatInterval
            self.chunkSize = max(1, chunkSize)
        }
    }

    /// `<data_dir>/alloc`: the parent of every allocation directory (`AllocDir.root`).
    public let allocRoot: String
    public let settings: Settings

    public init(allocRoot: String, settings: Settings = Settings()) {
        self.allocRoot = allocRoot
        self.settings = settings
    }

    func jail(_ allocID: String) throws -> PathJail { try PathJail(root: allocRoot, allocID: allocID) }

    public func list(request: ServerRequest<Caravan_V1_ListFilesRequest>, context: ServerContext) async throws
        -> ServerResponse<Caravan_V1_ListFilesResponse>
    {
        let message = request.message
        let path = try jail(message.allocID).resolve(message.path)
        guard try FileInfoReader.info(of: path.absolute, name: path.relative).isDir else {
            throw CaravanError.invalidArgument("\"\(path.relative)\" is a file, not a directory")
        }
        let files = try FileInfoReader.list(path.absolute, shownAs: path.relative)
        return ServerResponse(message: .with { $0.files = files })
    }

    public func stat(request: ServerRequest<Caravan_V1_StatFileRequest>, context: ServerContext) async throws
        -> ServerResponse<Caravan_V1_StatFileResponse>
    {
        let message = request.message
        let path = try jail(message.allocID).resolve(message.path)
        let name = path.relative.split(separator: "/").last.map(String.init) ?? "/"
        let info = try FileInfoReader.info(of: path.absolute, name: name)
        return ServerResponse(message: .with { $0.info = info })
    }

    public func cat(request: ServerRequest<Caravan_V1_CatFileRequest>, context: ServerContext) async throws
        -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let message = request.message
        let path = try readableFile(message.allocID, message.path)
        return Self.streaming(context) { send in
            _ = try await FileAccess.read(
                path.absolute, shownAs: path.relative, from: 0, to: nil, chunkSize: settings.chunkSize
            ) { data, offset in try await send(FileFollower.frame(Self.followed(path), data: data, offset: offset)) }
        }
    }

    public func readAt(request: ServerRequest<Caravan_V1_ReadFileAtRequest>, context: ServerContext) async throws
        -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let message = request.message
        guard message.offset >= 0, message.limit >= 0 else {
            throw CaravanError.invalidArgument("offset and limit must not be negative")
        }
        let path = try readableFile(message.allocID, message.path)
        let end: Int64? = message.limit == 0 ? nil : message.offset.addingReportingOverflow(message.limit).partialValue
        return Self.streaming(context) { send in
            _ = try await FileAccess.read(
                path.absolute, shownAs: path.relative, from: message.offset, to: end, chunkSize: settings.chunkSize
            ) { data, offset in try await send(FileFollower.frame(Self.followed(path), data: data, offset: offset)) }
        }
    }

    public func stream(request: ServerRequest<Caravan_V1_StreamFileRequest>, context: ServerContext) async throws
        -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let message = request.message
        guard message.offset >= 0 else { throw CaravanError.invalidArgument("offset must not be negative") }
        let path = try readableFile(message.allocID, message.path)
        let file = Self.followed(path)
        let cursor: FollowCursor
        if case .present(let size, let inode) = FileAccess.observe(path.absolute) {
            let start = message.origin == .end ? size - message.offset : message.offset
            cursor = FollowCursor(offset: min(max(0, start), size), inode: inode)
        } else {
            cursor = FollowCursor()
        }
        let follower = FileFollower(settings: settings, follow: message.follow, events: true, endsOnDelete: true)
        return Self.streaming(context) { send in try await follower.run(file, from: cursor, send: send) }
    }

    public func logs(request: ServerRequest<Caravan_V1_StreamLogsRequest>, context: ServerContext) async throws
        -> StreamingServerResponse<Caravan_V1_FileChunk>
    {
        let message = request.message
        guard AllocDir.isValidTaskName(message.task) else {
            throw CaravanError.invalidArgument("\"\(message.task)\" is not a task name")
        }
        guard message.offset >= 0 else { throw CaravanError.invalidArgument("offset must not be negative") }
        let jail = try jail(message.allocID)
        let logs = LogFiles(jail: jail, task: message.task, stream: message.type == .stderr ? "stderr" : "stdout")
        let sizes = try logs.indices().compactMap { index -> (index: Int, size: Int64)? in
            guard case .present(let size, _) = FileAccess.observe(try logs.file(index).absolute) else { return nil }
            return (index, size)
        }
        if sizes.isEmpty, (try? jail.resolve(message.task)) == nil {
            throw CaravanError.notFound("allocation \(message.allocID) has no task \"\(message.task)\"")
        }
        let follower = FileFollower(
            settings: settings, follow: message.follow, events: !message.plain, endsOnDelete: false)
        let start = LogFiles.startPosition(sizes: sizes, origin: message.origin, offset: message.offset)
        let first = try start.map { try logs.file($0.index) }
        return Self.streaming(context) { send in
            var file = first
            // No log yet: wait for the task to write its first one (with heartbeats, as while following).
            let clock = ContinuousClock()
            var lastSent = clock.now
            while message.follow, file == nil {
                if !message.plain, clock.now - lastSent >= settings.heartbeatInterval {
                    try await send(Caravan_V1_FileChunk())
                    lastSent = clock.now
                }
                try await Task.sleep(for: settings.pollInterval)
                file = logs.successor(of: nil)
            }
            guard let file else { return }
            var cursor = FollowCursor(offset: start?.offset ?? 0)
            if case .present(_, let inode) = FileAccess.observe(file.absolute), start != nil { cursor.inode = inode }
            try await follower.run(file, from: cursor, successor: { logs.successor(of: $0) }, send: send)
        }
    }

    /// The jailed path of a regular file (checked before the stream starts, so errors keep their status).
    func readableFile(_ allocID: String, _ path: String) throws -> JailedPath {
        let resolved = try jail(allocID).resolve(path)
        close(try FileAccess.openFile(resolved.absolute, shownAs: resolved.relative))
        return resolved
    }

    static func followed(_ path: JailedPath) -> FollowedFile {
        FollowedFile(relative: path.relative, absolute: path.absolute)
    }

    /// A response whose body throws `CaravanError`s as their RPC status (errors thrown inside a stream do not
    /// pass through the server's `ErrorMapper`).
    /// The stream ends when the caller cancels it, which stops any polling in `body`.
    static func streaming(
        _ context: ServerContext, _ body: @escaping @Sendable (_ send: FileFollower.Send) async throws -> Void
    ) -> StreamingServerResponse<Caravan_V1_FileChunk> {
        StreamingServerResponse { writer in
            do {
                try await RPCCancellation.bound(to: context) { try await body { try await writer.write($0) } }
            } catch let error as CaravanError {
                throw error.rpcError
            }
            return [:]
        }
    }
}
