import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport
import Testing

@testable import ClientFS

/// An allocation root with one built allocation (tasks `web` and `db`), served by a `ClientFSService` on a
/// real mTLS server with a client certificate, called with a cli certificate as `ctl` would.
final class FSTestBed: Sendable {
    let certs: CertificateFixture
    let root: String
    let alloc: AllocDir

    init() throws {
        certs = try CertificateFixture()
        root = try TemporaryDirectory.make(prefix: "caravan-allocs")
        alloc = AllocDir(root: root, allocID: UUID().uuidString.lowercased())
        try alloc.build(tasks: ["web", "db"])
    }

    deinit {
        try? alloc.destroy()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Writes `text` to `relative` inside the allocation (replacing the file).
    func write(_ relative: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: alloc.path + "/" + relative))
    }

    /// Appends `text` to `relative` (creating it), keeping the same file.
    func append(_ relative: String, _ text: String) throws {
        let path = alloc.path + "/" + relative
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Runs `body` with a ClientFS client against a service over this root.
    func withClientFS<Result: Sendable>(
        _ settings: ClientFSService.Settings = .init(pollInterval: .milliseconds(20)),
        _ body: (Caravan_V1_ClientFS.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        let service = ClientFSService(allocRoot: root, settings: settings)
        return try await withRunningServer(tls: try certs.material("client"), services: [service]) { _, address in
            let dialer = RPCDialer(tls: try certs.material("cli"), callTimeout: .seconds(30))
            return try await dialer.withClient(address, expecting: AgentIdentity(role: .client, region: "global")) {
                try await body(Caravan_V1_ClientFS.Client(wrapping: $0))
            }
        }
    }

    /// The error `body` throws (nil when it succeeds).
    static func failure(_ body: () async throws -> Void) async -> CaravanError? {
        do {
            try await body()
            return nil
        } catch let error as CaravanError {
            return error
        } catch {
            return CaravanError(RPCErrorText.code(of: error), RPCErrorText.describe(error))
        }
    }
}

extension Caravan_V1_FileChunk {
    var text: String { String(decoding: data, as: UTF8.self) }
}

/// Reads frames of a stream one at a time, so a test can act between them.
struct FrameReader {
    var iterator: RPCAsyncSequence<Caravan_V1_FileChunk, any Error>.AsyncIterator

    init(_ response: StreamingClientResponse<Caravan_V1_FileChunk>) {
        iterator = response.messages.makeAsyncIterator()
    }

    /// The next frame; fails the test when the stream ends instead.
    mutating func next(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Caravan_V1_FileChunk {
        try #require(try await iterator.next(), "the stream ended", sourceLocation: sourceLocation)
    }

    /// The next frame that carries data or an event (heartbeats skipped).
    mutating func nextContent(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Caravan_V1_FileChunk {
        while true {
            let frame = try await next(sourceLocation: sourceLocation)
            if !frame.data.isEmpty || frame.fileEvent != .unspecified { return frame }
        }
    }

    /// Whether the stream ended (no more frames).
    mutating func ended() async throws -> Bool {
        try await iterator.next() == nil
    }
}
