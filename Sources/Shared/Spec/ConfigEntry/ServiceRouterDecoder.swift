import CaravanProto
import HCL

/// Reads the body of a `service-router` entry: routes in match order.
enum ServiceRouterDecoder {

    static let keys = ["Routes"]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceRouter {
        var router = Caravan_V1_ServiceRouter()
        router.routes = problems.blocks(reader, "Routes").map { route($0, &problems) }
        return router
    }

    static func route(_ element: BlockReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceRoute {
        let body = element.body
        problems.checkKeys(body, ["Match", "Destination"])
        var route = Caravan_V1_ServiceRoute()
        if let match = problems.block(body, "Match") {
            problems.checkKeys(match.body, ["HTTP"])
            var routeMatch = Caravan_V1_ServiceRouteMatch()
            if let http = problems.block(match.body, "HTTP") { routeMatch.http = self.http(http.body, &problems) }
            route.match = routeMatch
        }
        if let destination = problems.block(body, "Destination") {
            route.destination = self.destination(destination.body, match: route.match.http, &problems)
        }
        return route
    }

    static func http(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceRouteHTTPMatch {
        problems.checkKeys(reader, HTTPMatchDecoder.pathKeys + ["Header", "QueryParam", "Methods"])
        var match = Caravan_V1_ServiceRouteHTTPMatch()
        let path = HTTPMatchDecoder.path(reader, &problems)
        match.pathExact = path.exact
        match.pathPrefix = path.prefix
        match.pathRegex = path.regex
        match.header = HTTPMatchDecoder.headers(reader, &problems)
        match.queryParam = HTTPMatchDecoder.queryParams(reader, &problems)
        match.methods = HTTPMatchDecoder.methods(reader, &problems)
        return match
    }

    static func destination(
        _ reader: BodyReader, match: Caravan_V1_ServiceRouteHTTPMatch, _ problems: inout DiagnosticCollector
    ) -> Caravan_V1_ServiceRouteDestination {
        problems.checkKeys(
            reader,
            [
                "Service", "ServiceSubset", "Namespace", "PrefixRewrite", "RequestTimeout", "NumRetries",
                "RetryOnConnectFailure", "RetryOnStatusCodes",
            ])
        var destination = Caravan_V1_ServiceRouteDestination()
        if let service = ConfigEntryNames.service(reader, "Service", &problems) { destination.service = service }
        if let subset = ConfigEntryNames.label(reader, "ServiceSubset", &problems) {
            destination.serviceSubset = subset
        }
        if let namespace = ConfigEntryNames.label(reader, "Namespace", &problems) { destination.namespace = namespace }
        if let rewrite = problems.string(reader, "PrefixRewrite") {
            if match.pathExact.isEmpty && match.pathPrefix.isEmpty {
                problems.add(
                    "PrefixRewrite needs the route to match on PathExact or PathPrefix",
                    at: SpecDecoding.keyRange(reader, "PrefixRewrite"))
            }
            destination.prefixRewrite = rewrite
        }
        if let timeout = problems.duration(reader, "RequestTimeout") { destination.requestTimeout = timeout }
        if let retries = problems.int(reader, "NumRetries", in: 0...Int(UInt32.max)) {
            destination.numRetries = UInt32(retries)
        }
        destination.retryOnConnectFailure = problems.bool(reader, "RetryOnConnectFailure") ?? false
        if let value = problems.value(reader, "RetryOnStatusCodes") {
            destination.retryOnStatusCodes = statusCodes(
                value, SpecDecoding.valueRange(reader, "RetryOnStatusCodes"), &problems)
        }
        return destination
    }

    /// `RetryOnStatusCodes = [503, 504]`: HTTP status codes 100..599.
    static func statusCodes(_ value: Value, _ range: SourceRange, _ problems: inout DiagnosticCollector) -> [UInt32] {
        if value.isNull { return [] }
        let elements = value.asArray() ?? [value]
        var codes: [UInt32] = []
        for element in elements {
            guard let code = element.asInt(), (100...599).contains(code) else {
                problems.add(
                    "RetryOnStatusCodes must list HTTP status codes (100 to 599), but it has \(element.phrase)",
                    at: range)
                continue
            }
            codes.append(UInt32(code))
        }
        return codes
    }
}
