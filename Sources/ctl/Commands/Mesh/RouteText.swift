import CaravanProto
import Spec

/// Describes a service-router route in a few words for the chain tree: what it matches, then how it forwards.
///
/// `/admin (path prefix)`, `/login (path exact, POST, header x-debug != 1) [rewrite /session, timeout 3s]`,
/// `* (default)` for a route that matches every request.
enum RouteText {
    static func describe(_ route: Caravan_V1_ServiceRoute) -> String {
        let http = route.match.http
        var path = "*"
        var facts: [String] = []
        if !http.pathExact.isEmpty {
            path = http.pathExact
            facts.append("path exact")
        } else if !http.pathPrefix.isEmpty {
            path = http.pathPrefix
            facts.append("path prefix")
        } else if !http.pathRegex.isEmpty {
            path = http.pathRegex
            facts.append("path regex")
        }
        if !http.methods.isEmpty { facts.append(http.methods.joined(separator: " ")) }
        facts += http.header.map(PermissionText.header)
        facts += http.queryParam.map(query)
        if facts.isEmpty { facts.append("default") }
        let options = forwarding(route.destination)
        return "\(path) (\(facts.joined(separator: ", ")))" + (options.isEmpty ? "" : " [\(options)]")
    }

    /// `query beta present`, `query v = 2`, `query v matching ^2`.
    static func query(_ match: Caravan_V1_HTTPQueryParamMatch) -> String {
        if match.present { return "query \(match.name) present" }
        if !match.exact.isEmpty { return "query \(match.name) = \(match.exact)" }
        if !match.regex.isEmpty { return "query \(match.name) matching \(match.regex)" }
        return "query \(match.name)"
    }

    /// The destination's rewrite, timeout and retry settings, comma-separated ("" when none).
    static func forwarding(_ destination: Caravan_V1_ServiceRouteDestination) -> String {
        var parts: [String] = []
        if !destination.prefixRewrite.isEmpty { parts.append("rewrite \(destination.prefixRewrite)") }
        if destination.hasRequestTimeout { parts.append("timeout \(GoDurationText.text(destination.requestTimeout))") }
        if destination.numRetries > 0 {
            parts.append(destination.numRetries == 1 ? "1 retry" : "\(destination.numRetries) retries")
        }
        if destination.retryOnConnectFailure { parts.append("retry on connect failure") }
        if !destination.retryOnStatusCodes.isEmpty {
            parts.append("retry on " + destination.retryOnStatusCodes.map(String.init).joined(separator: " "))
        }
        return parts.joined(separator: ", ")
    }
}
