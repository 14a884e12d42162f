import CaravanProto
import Mesh
import Testing

@Suite("Intention checks at L4")
struct IntentionDeciderTests {
    typealias F = IntentionFixtures

    @Test("an exact intention beats a wildcard one for its source; other sources fall to the wildcard")
    func exactBeatsWildcard() {
        let decider = IntentionDecider(intentions: [
            F.intention("*", "api", .deny, id: "deny-all"), F.intention("web", "api", .allow, id: "web-api"),
        ])
        let web = decider.check(source: "web", destination: "api", http: nil, defaultAllow: false)
        #expect(
            web
                == IntentionDecision(
                    allowed: true, matchedIntentionID: "web-api", reason: "intention web → api (allow) matched"))
        let billing = decider.check(source: "billing", destination: "api", http: nil, defaultAllow: true)
        #expect(!billing.allowed)
        #expect(billing.matchedIntentionID == "deny-all")
        #expect(billing.reason == "intention * → api (deny) matched")
    }

    @Test("a wildcard source with an exact destination beats an exact source with a wildcard destination")
    func destinationExactnessDecides() {
        let decider = IntentionDecider(intentions: [
            F.intention("web", "*", .deny, id: "web-anything"), F.intention("*", "api", .allow, id: "anyone-api"),
        ])
        let decision = decider.check(source: "web", destination: "api", http: nil, defaultAllow: false)
        #expect(decision.allowed)
        #expect(decision.matchedIntentionID == "anyone-api")
        let elsewhere = decider.check(source: "web", destination: "db", http: nil, defaultAllow: true)
        #expect(!elsewhere.allowed)
        #expect(elsewhere.matchedIntentionID == "web-anything")
    }

    @Test("when the same pair is defined as allow and deny, deny decides")
    func denyTie() {
        let decider = IntentionDecider(intentions: [
            F.intention("web", "api", .allow, id: "a"), F.intention("web", "api", .deny, id: "b"),
        ])
        let decision = decider.check(source: "web", destination: "api", http: nil, defaultAllow: true)
        #expect(!decision.allowed)
        #expect(decision.matchedIntentionID == "b")
    }

    @Test("with no matching intention the default policy decides", arguments: [true, false])
    func defaultPolicy(defaultAllow: Bool) {
        let decider = IntentionDecider(intentions: [F.intention("web", "db", .allow)])
        let decision = decider.check(source: "web", destination: "api", http: nil, defaultAllow: defaultAllow)
        let policy = defaultAllow ? "allow" : "deny"
        #expect(
            decision
                == IntentionDecision(
                    allowed: defaultAllow, matchedIntentionID: "",
                    reason: "no intention matches; default policy is \(policy)"))
    }

    @Test("an intention without a usable action denies")
    func unspecifiedActionDenies() {
        let decider = IntentionDecider(intentions: [F.intention("web", "api", .unspecified, id: "broken")])
        let decision = decider.check(source: "web", destination: "api", http: nil, defaultAllow: true)
        #expect(!decision.allowed)
        #expect(decision.reason == "intention web → api (no action, so deny) matched")
    }

    @Test("the intention set's check decides from the destination's intentions, stored and from entries")
    func setCheck() {
        let set = IntentionSet(
            stored: [F.intention("*", "*", .deny, id: "deny-all")],
            configEntries: [F.entry("api", [F.source("web", .allow)])])
        let allowed = set.check(source: "web", destination: "api", http: nil, defaultAllow: false)
        #expect(allowed.allowed)
        #expect(allowed.matchedIntentionID == "config:api:web")
        let denied = set.check(source: "billing", destination: "api", http: nil, defaultAllow: true)
        #expect(!denied.allowed)
        #expect(denied.matchedIntentionID == "deny-all")
    }

    @Test("a decision converts to the Check response")
    func toProto() {
        let response = IntentionDecision(allowed: true, matchedIntentionID: "x", reason: "because").toProto()
        #expect(response.allowed)
        #expect(response.matchedIntentionID == "x")
        #expect(response.reason == "because")
    }
}
