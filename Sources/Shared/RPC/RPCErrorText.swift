import GRPCCore

/// Turns the nested errors of gRPC, NIO and TLS into one line a person can act on.
///
/// A failed handshake surfaces as `UNAVAILABLE` wrapping a transport error wrapping a BoringSSL error stack;
/// this walks the chain and names what actually went wrong.
public enum RPCErrorText {
    public static func describe(_ error: any Error) -> String {
        if let caravan = error as? CaravanError { return caravan.message }
        let chain = causes(of: error)
        let everything = chain.map { String(reflecting: $0) }.joined(separator: " | ")
        if let tls = tlsProblem(everything) { return tls }
        if everything.contains("connectionRefused") || everything.contains("Connection refused")
            || everything.contains("ECONNREFUSED")
        {
            return "connection refused (is the daemon running and listening there?)"
        }
        if everything.contains("Address already in use") || everything.contains("EADDRINUSE") {
            return "address already in use"
        }
        if let rpc = chain.first as? RPCError {
            switch rpc.code {
            case .deadlineExceeded: return "deadline exceeded: the peer did not answer in time"
            case .permissionDenied, .unauthenticated, .invalidArgument, .notFound, .failedPrecondition, .alreadyExists:
                return rpc.message
            default:
                let root = chain.count > 1 ? String(describing: chain[chain.count - 1]) : ""
                return root.isEmpty || root == rpc.message ? rpc.message : "\(rpc.message) (\(root))"
            }
        }
        return String(describing: error)
    }

    /// The gRPC status code an error stands for (UNKNOWN when it carries none).
    public static func code(of error: any Error) -> RPCError.Code {
        if let caravan = error as? CaravanError { return caravan.code }
        if let rpc = error as? RPCError { return rpc.code }
        return .unknown
    }

    static func causes(of error: any Error) -> [any Error] {
        var chain: [any Error] = [error]
        var current: any Error = error
        while chain.count < 8 {
            let next: (any Error)?
            if let rpc = current as? RPCError {
                next = rpc.cause
            } else if let runtime = current as? RuntimeError {
                next = runtime.cause
            } else {
                next = nil
            }
            guard let next else { break }
            chain.append(next)
            current = next
        }
        return chain
    }

    static func tlsProblem(_ text: String) -> String? {
        let known: [(String, String)] = [
            (
                "CERTIFICATE_VERIFY_FAILED",
                "TLS: the peer's certificate is not trusted (another CA, expired or not yet valid)"
            ),
            ("TLSV1_ALERT_UNKNOWN_CA", "TLS: the peer rejected our certificate: it was not issued by the peer's CA"),
            ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "TLS: the peer rejected our certificate: it has expired"),
            ("SSLV3_ALERT_BAD_CERTIFICATE", "TLS: the peer rejected our certificate"),
            ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "TLS: no client certificate was sent; Caravan requires mutual TLS"),
            ("CERTIFICATE_REQUIRED", "TLS: the peer requires a client certificate"),
            ("failedToValidateHostname", "TLS: the peer's certificate does not carry the expected role"),
            ("WRONG_VERSION_NUMBER", "TLS: the peer does not speak TLS (plaintext port?)"),
            ("HTTP_REQUEST", "TLS: the peer spoke plaintext HTTP to a TLS port"),
            ("handshakeFailed", "TLS handshake failed"),
            (
                "uncleanShutdown",
                "TLS: the peer closed the connection during the handshake (our certificate was rejected?)"
            ),
        ]
        return known.first { text.contains($0.0) }?.1
    }
}
