import CaravanProto
import Mesh
import Testing

@Suite("Intention precedence and evaluation order")
struct IntentionPrecedenceTests {
    typealias F = IntentionFixtures

    @Test(
        "each combination of exact and wildcard names has Consul's precedence",
        arguments: [("web", "api", 9), ("*", "api", 8), ("web", "*", 6), ("*", "*", 5)] as [(String, String, UInt32)])
    func precedenceTable(source: String, destination: String, expected: UInt32) {
        #expect(IntentionPrecedence.value(source: source, destination: destination) == expected)
        #expect(IntentionPrecedence.value(of: F.intention(source, destination)) == expected)
    }

    @Test("an exact destination outranks an exact source")
    func destinationExactnessFirst() {
        #expect(
            IntentionPrecedence.value(source: "*", destination: "api")
                > IntentionPrecedence.value(source: "web", destination: "*"))
    }

    @Test("intentions sort by precedence, highest first, whatever order they arrive in")
    func sortsByPrecedence() {
        let input = [
            F.intention("*", "*"), F.intention("web", "*"), F.intention("web", "api"), F.intention("*", "api"),
        ]
        let sorted = IntentionEvaluationOrder.sorted(input)
        #expect(F.pairs(sorted) == ["web → api", "* → api", "web → *", "* → *"])
    }

    @Test("at equal precedence a deny comes first, then L7 permissions, then an allow")
    func denyWinsTie() {
        let allow = F.intention("web", "api", .allow, id: "a")
        let deny = F.intention("web", "api", .deny, id: "b")
        let l7 = F.l7("web", "api", [F.permission(.allow, prefix: "/")], id: "c")
        #expect(IntentionEvaluationOrder.sorted([allow, l7, deny]).map(\.id) == ["b", "c", "a"])
        #expect(IntentionEvaluationOrder.sorted([l7, deny, allow]).map(\.id) == ["b", "c", "a"])
    }

    @Test("ties left after precedence and action break by source, then destination, then ID, for any input order")
    func stableTiebreak() {
        let intentions = [
            F.intention("web", "api", id: "2"), F.intention("web", "api", id: "1"), F.intention("billing", "api"),
            F.intention("*", "api"), F.intention("*", "admin"),
        ]
        let expected = ["billing->api", "1", "2", "*->admin", "*->api"]
        for rotation in 0..<intentions.count {
            let rotated = Array(intentions[rotation...] + intentions[..<rotation])
            #expect(IntentionEvaluationOrder.sorted(rotated).map(\.id) == expected)
            #expect(IntentionEvaluationOrder.sorted(rotated.reversed()).map(\.id) == expected)
        }
    }

    @Test("the stored precedence field is ignored in favour of the names")
    func storedPrecedenceIgnored() {
        var wildcard = F.intention("*", "*")
        wildcard.precedence = 100
        let sorted = IntentionEvaluationOrder.sorted([wildcard, F.intention("web", "api")])
        #expect(F.pairs(sorted) == ["web → api", "* → *"])
    }

    @Test("normalizing fills the namespaces and source type, upper-cases methods and computes precedence")
    func normalization() {
        var intention = F.l7("*", "api", [F.permission(.allow, prefix: "/", methods: ["get", "Post"])])
        intention.precedence = 1
        let normalized = IntentionNormalization.normalized(intention)
        #expect(normalized.sourceNamespace == "default")
        #expect(normalized.destinationNamespace == "default")
        #expect(normalized.sourceType == "consul")
        #expect(normalized.precedence == 8)
        #expect(normalized.permissions.first?.http.methods == ["GET", "POST"])
    }
}
