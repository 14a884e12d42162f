import CaravanProto
import Mesh
import Testing

@Suite("Intention checks at L7")
struct IntentionL7DeciderTests {
    typealias F = IntentionFixtures

    /// web may not touch /admin and may read the rest; anyone else may connect.
    static let decider = IntentionDecider(intentions: [
        F.l7(
            "web", "api", [F.permission(.deny, prefix: "/admin"), F.permission(.allow, prefix: "/", methods: ["GET"])],
            id: "web-api"),
        F.intention("*", "api", .allow, id: "anyone-api"),
    ])

    static func http(_ method: String, _ path: String, _ headers: [String: String] = [:])
        -> Caravan_V1_IntentionCheckHTTP
    {
        var http = Caravan_V1_IntentionCheckHTTP()
        http.method = method
        http.path = path
        http.headers = headers
        return http
    }

    @Test("the first matching permission decides, even when a later one would allow")
    func firstPermissionWins() {
        let admin = Self.decider.check(
            source: "web", destination: "api", http: Self.http("GET", "/admin/users"), defaultAllow: true)
        #expect(!admin.allowed)
        #expect(admin.matchedIntentionID == "web-api")
        #expect(admin.reason == "permission 1 of intention web → api (deny) matched: path_prefix \"/admin\"")
        let items = Self.decider.check(
            source: "web", destination: "api", http: Self.http("GET", "/items"), defaultAllow: false)
        #expect(items.allowed)
        #expect(items.reason == "permission 2 of intention web → api (allow) matched: path_prefix \"/\", methods [GET]")
        #expect(items.hasPermissions)
    }

    @Test(
        "a request matching no permission gets the default policy, not the next intention's allow",
        arguments: [true, false])
    func noPermissionMatches(defaultAllow: Bool) {
        let decision = Self.decider.check(
            source: "web", destination: "api", http: Self.http("POST", "/items"), defaultAllow: defaultAllow)
        #expect(decision.allowed == defaultAllow)
        #expect(decision.matchedIntentionID == "")
        let policy = defaultAllow ? "allow" : "deny"
        #expect(
            decision.reason
                == "intention web → api matched, but none of its 2 permissions match POST /items; "
                + "default policy is \(policy)")
    }

    @Test("a connection check against an L7 intention is a deny, as Consul's intention check treats it")
    func l4CheckOfL7Intention() {
        let decision = Self.decider.check(source: "web", destination: "api", http: nil, defaultAllow: true)
        #expect(!decision.allowed)
        #expect(decision.matchedIntentionID == "web-api")
        #expect(decision.hasPermissions)
        #expect(decision.reason.hasPrefix("intention web → api has L7 permissions"))
    }

    @Test("an L4 intention decides HTTP requests by its action")
    func l4IntentionForRequest() {
        let decision = Self.decider.check(
            source: "billing", destination: "api", http: Self.http("DELETE", "/admin"), defaultAllow: false)
        #expect(decision.allowed)
        #expect(decision.matchedIntentionID == "anyone-api")
        #expect(!decision.hasPermissions)
    }

    @Test("a wildcard-source L7 deny names its permission and what it matched")
    func wildcardPermissionReason() {
        let decider = IntentionDecider(intentions: [
            F.l7(
                "*", "api",
                [F.permission(.allow, exact: "/"), F.permission(.deny, prefix: "/admin", methods: ["post"])],
                id: "x")
        ])
        let decision = decider.check(
            source: "web", destination: "api", http: Self.http("POST", "/admin/reset"), defaultAllow: true)
        #expect(!decision.allowed)
        #expect(
            decision.reason
                == "permission 2 of intention * → api (deny) matched: path_prefix \"/admin\", methods [POST]")
    }

    @Test("headers decide between permissions, names in any case")
    func headerPermission() {
        let decider = IntentionDecider(intentions: [
            F.l7(
                "web", "api",
                [F.permission(.allow, prefix: "/", headers: [F.header("X-Canary", present: true)])])
        ])
        let canary = decider.check(
            source: "web", destination: "api", http: Self.http("GET", "/", ["x-canary": "1"]), defaultAllow: false)
        #expect(canary.allowed)
        let plain = decider.check(source: "web", destination: "api", http: Self.http("GET", "/"), defaultAllow: false)
        #expect(!plain.allowed)
    }

    @Test("an intention whose permissions cannot be compiled denies every request, whatever the default")
    func failsClosed() {
        let decider = IntentionDecider(intentions: [
            F.l7("web", "api", [F.permission(.deny, regex: "(")], id: "broken"),
            F.intention("*", "api", .allow),
        ])
        let decision = decider.check(
            source: "web", destination: "api", http: Self.http("GET", "/"), defaultAllow: true)
        #expect(!decision.allowed)
        #expect(decision.matchedIntentionID == "broken")
        #expect(decision.reason.hasPrefix("intention web → api cannot be enforced (permission 1 path_regex"))
    }

    @Test("a permission without an action denies the requests it matches")
    func permissionWithoutAction() {
        let decider = IntentionDecider(intentions: [F.l7("web", "api", [F.permission(.unspecified, prefix: "/")])])
        let decision = decider.check(source: "web", destination: "api", http: Self.http("GET", "/"), defaultAllow: true)
        #expect(!decision.allowed)
    }
}
