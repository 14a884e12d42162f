import CaravanProto
import CaravanRPC
import GRPCCore
import GRPCNIOTransportHTTP2

/// Relays a node's stream of file chunks to the caller frame by frame; the node's error, or why it could not be
/// reached, ends the caller's stream with the same status. A caller that goes away cancels the node's stream.
enum FileChunkRelay {
    typealias Relay = @Sendable (StreamingClientResponse<Caravan_V1_FileChunk>) async throws -> Void

    static func response(
        _ context: ServerContext, _ files: NodeFileAccess, _ target: NodeFileAccess.Target,
        _ call:
            @escaping @Sendable (Caravan_V1_ClientFS.Client<HTTP2ClientTransport.Posix>, @escaping Relay)
            async throws -> Void
    ) -> StreamingServerResponse<Caravan_V1_FileChunk> {
        StreamingServerResponse { writer in
            do {
                try await RPCCancellation.bound(to: context) {
                    try await files.withClientFS(target) { fs in
                        try await call(fs) { response in
                            for try await chunk in response.messages { try await writer.write(chunk) }
                        }
                    }
                }
            } catch let error as CaravanError {
                // Errors thrown inside a stream do not pass through the ErrorMapper.
                throw error.rpcError
            }
            return [:]
        }
    }
}
