/// Why a set of config entries cannot form a discovery chain; each message names the entries involved.
public enum ChainCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request names no service.
    case missingService
    /// A service-router or service-splitter on a service whose protocol is not HTTP-based.
    case routingNeedsHTTP(kind: String, service: String, protocol: String)
    /// Two services reached by one chain speak different protocols.
    case inconsistentProtocols(
        chain: String, firstService: String, firstProtocol: String, service: String, protocol: String)
    /// A route, split, redirect, failover or default subset names a subset the service's resolver lacks.
    case unknownSubset(referrer: String, service: String, subset: String, defined: [String], resolverExists: Bool)
    /// Redirects that come back to a target already visited: the target IDs and the resolvers on the way.
    case circularRedirect(targets: [String], resolvers: [String])
    /// Splitters that split back into a splitter already being expanded.
    case circularSplit(path: [String])
    /// A resolver with a redirect that also defines subsets, a default subset or failover.
    case redirectWithSubsetsOrFailover(service: String)
    /// A subset filter that does not parse.
    case invalidSubsetFilter(service: String, subset: String, error: SubsetFilterError)

    public var description: String {
        switch self {
        case .missingService:
            return "a discovery chain needs a service name"
        case .routingNeedsHTTP(let kind, let service, let protocolName):
            return "\(kind) \"\(service)\" needs an HTTP-based protocol (http, http2 or grpc), but service "
                + "\"\(service)\" speaks \"\(protocolName)\"; set Protocol in service-defaults \"\(service)\""
        case .inconsistentProtocols(let chain, let firstService, let firstProtocol, let service, let protocolName):
            return "discovery chain \"\(chain)\" uses inconsistent protocols: service \"\(firstService)\" speaks "
                + "\"\(firstProtocol)\" but service \"\(service)\" speaks \"\(protocolName)\""
        case .unknownSubset(let referrer, let service, let subset, let defined, let resolverExists):
            let known: String
            if !resolverExists {
                known = "there is no service-resolver \"\(service)\""
            } else if defined.isEmpty {
                known = "service-resolver \"\(service)\" defines no subsets"
            } else {
                known = "service-resolver \"\(service)\" defines only " + defined.joined(separator: ", ")
            }
            return "\(referrer) names subset \"\(subset)\" of service \"\(service)\", but \(known)"
        case .circularRedirect(let targets, let resolvers):
            return "service-resolver redirects form a loop: "
                + resolvers.map { "service-resolver \"\($0)\"" }.joined(separator: " -> ")
                + " (targets " + targets.joined(separator: " -> ") + ")"
        case .circularSplit(let path):
            return "service-splitters split into each other in a loop: "
                + path.map { "service-splitter \"\($0)\"" }.joined(separator: " -> ")
        case .redirectWithSubsetsOrFailover(let service):
            return "service-resolver \"\(service)\" sets Redirect together with Subsets, DefaultSubset or Failover"
        case .invalidSubsetFilter(let service, let subset, let error):
            return "service-resolver \"\(service)\" subset \"\(subset)\" has an invalid Filter: \(error)"
        }
    }
}
