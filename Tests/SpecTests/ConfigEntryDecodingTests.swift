import CaravanProto
import Spec
import SwiftProtobuf
import Testing

@Suite("Mesh config entries decode from HCL and JSON")
struct ConfigEntryDecodingTests {
    @Test("the seed's router sends /admin on web to the admin service, written in HCL1 list-of-blocks style")
    func seedRouter() throws {
        let entry = try ConfigEntryFixtures.decode("web-router.hcl")
        #expect(entry.kind == "service-router")
        #expect(entry.name == "web")
        #expect(entry.namespace == "")
        #expect(entry.sourcePosition.file == "web-router.hcl")
        #expect(entry.sourcePosition.line == 1)
        #expect(entry.sourcePosition.column == 1)
        guard case .serviceRouter(let router) = entry.body else {
            Issue.record("body is \(String(describing: entry.body))")
            return
        }
        #expect(router.routes.count == 1)
        let route = try #require(router.routes.first)
        #expect(route.match.http.pathPrefix == "/admin")
        #expect(route.match.http.pathExact == "")
        #expect(route.match.http.pathRegex == "")
        #expect(route.match.http.methods.isEmpty)
        #expect(route.destination.service == "admin")
        #expect(route.destination.serviceSubset == "")
        #expect(!route.destination.hasRequestTimeout)
    }

    @Test("the seed's resolver defines subsets v1 and v2 by version metadata and defaults to v1")
    func seedResolver() throws {
        let entry = try ConfigEntryFixtures.decode("api-resolver.hcl")
        #expect(entry.kind == "service-resolver")
        #expect(entry.name == "api")
        let resolver = entry.serviceResolver
        #expect(resolver.defaultSubset == "v1")
        #expect(resolver.subsets.keys.sorted() == ["v1", "v2"])
        #expect(resolver.subsets["v1"]?.filter == "Service.Meta.version == v1")
        #expect(resolver.subsets["v2"]?.filter == "Service.Meta.version == v2")
        #expect(resolver.subsets["v1"]?.onlyPassing == false)
        #expect(!resolver.hasRedirect)
        #expect(resolver.failover.isEmpty)
    }

    @Test("the seed's canary splitter sends 90% to v1 and 10% to v2")
    func seedSplitter() throws {
        let entry = try ConfigEntryFixtures.decode("api-splitter.hcl")
        #expect(entry.kind == "service-splitter")
        #expect(entry.name == "api")
        let splits = entry.serviceSplitter.splits
        #expect(splits.map(\.weight) == [90, 10])
        #expect(splits.map(\.serviceSubset) == ["v1", "v2"])
        #expect(splits.map(\.service) == ["", ""])
    }

    @Test("the seed's service-defaults makes api speak HTTP")
    func seedDefaults() throws {
        let entry = try ConfigEntryFixtures.decode("api-defaults.hcl")
        #expect(entry.kind == "service-defaults")
        #expect(entry.name == "api")
        #expect(entry.serviceDefaults.protocol == "http")
        #expect(entry.serviceDefaults.meshGateway == .unspecified)
        #expect(!entry.serviceDefaults.hasExpose)
    }

    @Test("the seed's intentions hold L7 permissions for web and an L4 deny for billing")
    func seedIntentions() throws {
        let entry = try ConfigEntryFixtures.decode("api-intentions.hcl")
        #expect(entry.kind == "service-intentions")
        #expect(entry.name == "api")
        let sources = entry.serviceIntentions.sources
        #expect(sources.map(\.name) == ["web", "billing"])
        let web = try #require(sources.first)
        #expect(web.action == .unspecified)
        #expect(web.permissions.count == 2)
        #expect(web.permissions.map(\.action) == [.deny, .allow])
        #expect(web.permissions[0].http.pathPrefix == "/admin")
        #expect(web.permissions[1].http.pathPrefix == "/")
        #expect(web.permissions[1].http.methods == ["GET", "HEAD"])
        #expect(web.permissions[1].http.header.count == 1)
        #expect(web.permissions[1].http.header.first?.name == "x-canary")
        #expect(web.permissions[1].http.header.first?.present == true)
        let billing = sources[1]
        #expect(billing.action == .deny)
        #expect(billing.permissions.isEmpty)
        #expect(billing.description_p == "billing must go through the gateway")
    }

    @Test(
        "the JSON and snake_case forms decode to the same proto as the CamelCase HCL",
        arguments: [
            ("web-router.hcl", "web-router.json"), ("web-router.hcl", "web-router-snake.hcl"),
            ("api-resolver.hcl", "api-resolver.json"), ("api-splitter.hcl", "api-splitter.json"),
            ("api-defaults.hcl", "api-defaults.json"), ("api-intentions.hcl", "api-intentions.json"),
            ("api-intentions.hcl", "api-intentions-snake.hcl"),
        ])
    func sameProto(hcl: String, other: String) throws {
        let first = try ConfigEntryFixtures.decode(hcl)
        let second = try ConfigEntryFixtures.decode(other)
        #expect(ConfigEntryFixtures.withoutPosition(first) == ConfigEntryFixtures.withoutPosition(second))
        #expect(second.sourcePosition.file == other)
    }

    @Test("a JSON entry's position is its opening brace")
    func jsonPosition() throws {
        let source = SpecSource(filename: "web.json", text: "\n  {\"Kind\": \"service-defaults\", \"Name\": \"web\"}")
        let entry = try ConfigEntrySpec.decode(source)
        #expect(entry.sourcePosition.line == 2)
        #expect(entry.sourcePosition.column == 3)
        #expect(entry.serviceDefaults == Caravan_V1_ServiceDefaults())
    }

    @Test("every router field reads: exact path, headers, query parameters, methods and the full destination")
    func fullRouter() throws {
        let entry = try ConfigEntryFixtures.decode("web-router-full.hcl")
        #expect(entry.namespace == "default")
        #expect(entry.meta == ["owner": "platform"])
        let routes = entry.serviceRouter.routes
        #expect(routes.count == 2)
        let login = try #require(routes.first)
        let http = login.match.http
        #expect(http.pathExact == "/login")
        #expect(http.methods == ["POST"])
        #expect(http.header.map(\.name) == ["x-debug", "user-agent"])
        #expect(http.header[0].exact == "1")
        #expect(http.header[0].invert)
        #expect(http.header[1].regex == "^curl/.*")
        #expect(http.queryParam.map(\.name) == ["beta"])
        #expect(http.queryParam.first?.present == true)
        let destination = login.destination
        #expect(destination.service == "auth")
        #expect(destination.serviceSubset == "v2")
        #expect(destination.namespace == "default")
        #expect(destination.prefixRewrite == "/session")
        #expect(destination.requestTimeout == Google_Protobuf_Duration(seconds: 3))
        #expect(destination.numRetries == 2)
        #expect(destination.retryOnConnectFailure)
        #expect(destination.retryOnStatusCodes == [503, 504])
        #expect(routes[1].match.http.pathRegex == "^/v[0-9]+/.*")
        #expect(routes[1].destination.service == "api")
    }

    @Test("every resolver field reads: block-style subsets, failover by subset and \"*\", ring-hash balancing")
    func fullResolver() throws {
        let resolver = try ConfigEntryFixtures.decode("api-resolver-full.hcl").serviceResolver
        #expect(resolver.defaultSubset == "v1")
        #expect(resolver.connectTimeout == Google_Protobuf_Duration(seconds: 15))
        #expect(resolver.subsets["v1"]?.onlyPassing == true)
        #expect(resolver.subsets["v2"]?.filter == "Service.Meta.version == v2")
        #expect(resolver.failover.keys.sorted() == ["*", "v2"])
        #expect(resolver.failover["v2"]?.serviceSubset == "v1")
        #expect(resolver.failover["*"]?.datacenters == ["dc2", "dc3"])
        let balancer = resolver.loadBalancer
        #expect(balancer.policy == .ringHash)
        #expect(balancer.ringHashConfig.minimumRingSize == 1024)
        #expect(balancer.ringHashConfig.maximumRingSize == 8192)
        #expect(balancer.hashPolicies.count == 2)
        #expect(balancer.hashPolicies[0].field == .cookie)
        #expect(balancer.hashPolicies[0].fieldValue == "session")
        #expect(balancer.hashPolicies[0].cookieConfig.ttl == Google_Protobuf_Duration(seconds: 3600))
        #expect(balancer.hashPolicies[0].cookieConfig.path == "/")
        #expect(balancer.hashPolicies[1].sourceIp)
        #expect(balancer.hashPolicies[1].terminal)
    }

    @Test("every service-defaults field reads: mesh gateway, expose paths, SNI and upstream config")
    func fullDefaults() throws {
        let defaults = try ConfigEntryFixtures.decode("api-defaults-full.hcl").serviceDefaults
        #expect(defaults.protocol == "http2")
        #expect(defaults.externalSni == "api.example.com")
        #expect(defaults.meshGateway == .local)
        #expect(defaults.expose.checks)
        #expect(defaults.expose.paths.count == 1)
        #expect(defaults.expose.paths.first?.path == "/health")
        #expect(defaults.expose.paths.first?.localPathPort == 8080)
        #expect(defaults.expose.paths.first?.listenerPort == "21500")
        #expect(defaults.expose.paths.first?.protocol == "http")
        let upstream = defaults.upstreamConfig
        #expect(upstream.defaults.connectTimeout == Google_Protobuf_Duration(seconds: 5))
        #expect(upstream.defaults.limits.maxConnections == 512)
        #expect(upstream.defaults.limits.maxPendingRequests == 64)
        #expect(upstream.defaults.limits.maxConcurrentRequests == 128)
        #expect(upstream.defaults.limits.hasMaxConnections)
        #expect(upstream.defaults.passiveHealthCheck.interval == Google_Protobuf_Duration(seconds: 10))
        #expect(upstream.defaults.passiveHealthCheck.maxFailures == 5)
        #expect(upstream.overrides.count == 1)
        #expect(upstream.overrides.first?.name == "payments")
        #expect(upstream.overrides.first?.protocol == "grpc")
        #expect(upstream.overrides.first?.connectTimeout == Google_Protobuf_Duration(seconds: 0, nanos: 250_000_000))
        #expect(upstream.overrides.first?.meshGateway == .remote)
    }

    @Test("service-intentions may be named \"*\" and a source may be \"*\"")
    func wildcardIntentions() throws {
        let source = SpecSource(
            filename: "all.hcl",
            text: """
                Kind = "service-intentions"
                Name = "*"
                Sources = [{ Name = "*", Action = "deny" }]
                """)
        let entry = try ConfigEntrySpec.decode(source)
        #expect(entry.name == "*")
        #expect(entry.serviceIntentions.sources.first?.name == "*")
        #expect(entry.serviceIntentions.sources.first?.action == .deny)
    }
}
