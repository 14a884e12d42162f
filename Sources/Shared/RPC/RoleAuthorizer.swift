import GRPCCore
import GRPCNIOTransportHTTP2
import X509

/// Server interceptor that admits a call only when the caller's verified certificate carries a role the
/// `AccessPolicy` allows for the method, in this daemon's region.
///
/// The TLS layer has already verified the chain to the CA and the validity window; this adds authorization.
public struct RoleAuthorizer: ServerInterceptor {
    public let policy: AccessPolicy
    public let region: String

    public init(policy: AccessPolicy, region: String) {
        self.policy = policy
        self.region = region
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let service = context.descriptor.service.fullyQualifiedService
        let method = context.descriptor.method
        guard let certificate = (context.transportSpecific as? HTTP2ServerTransport.Posix.Context)?.peerCertificate
        else {
            throw RPCError(code: .unauthenticated, message: "no client certificate: Caravan requires mutual TLS")
        }
        let decision = authorize(callerIdentities: AgentIdentity.all(in: certificate), service: service, method: method)
        if case .denied(let reason) = decision {
            throw RPCError(code: .permissionDenied, message: reason)
        }
        return try await next(request, context)
    }

    /// The authorization decision as a pure function, so the rules are testable without sockets.
    public enum Decision: Equatable, Sendable {
        case allowed(AgentIdentity)
        case denied(String)
    }

    public func authorize(callerIdentities: [AgentIdentity], service: String, method: String) -> Decision {
        let allowed = policy.allowedRoles(service: service, method: method)
        let inRegion = callerIdentities.filter { $0.region == region }
        if let match = inRegion.first(where: { allowed.contains($0.role) }) {
            return .allowed(match)
        }
        let caller =
            callerIdentities.isEmpty
            ? "a certificate with no Caravan role" : callerIdentities.map(\.description).joined(separator: ", ")
        if allowed.isEmpty {
            return .denied("\(service)/\(method) is not open to any caller")
        }
        if inRegion.isEmpty && !callerIdentities.isEmpty {
            return .denied("caller \(caller) is not in region \(region); \(service) requires region \(region)")
        }
        let roles = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return .denied("caller \(caller) may not call \(service)/\(method); allowed roles: \(roles)")
    }
}
