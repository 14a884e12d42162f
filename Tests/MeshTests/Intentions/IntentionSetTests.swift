import CaravanProto
import HCL
import Mesh
import Spec
import SwiftProtobuf
import Testing

@Suite("Intention sets: service-intentions entries, matching and conflicts")
struct IntentionSetTests {
    typealias F = IntentionFixtures

    static let set = IntentionSet(
        stored: [
            F.intention("*", "*", .deny, id: "deny-all"), F.intention("web", "db", .allow, id: "web-db"),
            F.intention("web", "*", .deny, id: "web-any"), F.intention("billing", "api", .allow, id: "billing-api"),
        ],
        configEntries: [
            F.entry("api", [F.source("web", .allow), F.source("*", .deny)]),
            Caravan_V1_ConfigEntry.with {
                $0.kind = "service-defaults"
                $0.name = "api"
                $0.serviceDefaults.protocol = "http"
            },
        ])

    @Test("each source of a service-intentions entry becomes an intention to the entry's service")
    func conversion() {
        var web = F.source("web", permissions: [F.permission(.allow, prefix: "/", methods: ["get"])])
        web.description_p = "reads"
        web.meta = ["team": "web"]
        var legacy = F.source("billing", .deny)
        legacy.legacyID = "0f1e"
        var entry = F.entry("api", [web, F.source("*", .deny), legacy])
        entry.meta = ["owner": "api", "team": "api"]
        entry.modifyIndex = 42
        let intentions = ServiceIntentionsConversion.intentions(from: entry)
        #expect(intentions.map(\.id) == ["config:api:web", "config:api:*", "0f1e"])
        #expect(intentions.map(\.destinationName) == ["api", "api", "api"])
        #expect(intentions.map(\.precedence) == [9, 8, 9])
        #expect(intentions.map(\.action) == [.unspecified, .deny, .deny])
        #expect(intentions[0].description_p == "reads")
        #expect(intentions[0].meta == ["owner": "api", "team": "web"])
        #expect(intentions[0].permissions.first?.http.methods == ["GET"])
        #expect(intentions[0].modifyIndex == 42)
        #expect(intentions[0].sourceNamespace == "default")
    }

    @Test("an entry decoded from Consul-style HCL converts with its permissions")
    func decodedEntry() throws {
        let text = """
            Kind = "service-intentions"
            Name = "api"
            Sources = [
              { Name = "web", Permissions = [{ Action = "deny", HTTP { PathPrefix = "/admin" } }] },
              { Name = "billing", Action = "deny" },
            ]
            """
        let entry = try ConfigEntrySpec.decode(SpecSource(filename: "api.hcl", text: text))
        let set = IntentionSet(stored: [], configEntries: [entry])
        #expect(F.pairs(set.all) == ["billing → api", "web → api"])
        #expect(set.intention(id: "config:api:web")?.permissions.first?.http.pathPrefix == "/admin")
        #expect(set.origin(id: "config:api:billing") == .configEntry)
    }

    @Test("every intention is kept in evaluation order; entries of other kinds are ignored")
    func allInOrder() {
        #expect(
            Self.set.all.map(\.id) == [
                "billing-api", "config:api:web", "web-db", "config:api:*", "web-any", "deny-all",
            ])
        #expect(Self.set.all.map(\.precedence) == [9, 9, 9, 8, 6, 5])
    }

    @Test("matching by destination gives the intentions naming it or \"*\" there, in evaluation order")
    func matchByDestination() {
        #expect(
            Self.set.match(by: .destination, name: "api").map(\.id) == [
                "billing-api", "config:api:web", "config:api:*", "web-any", "deny-all",
            ])
        #expect(Self.set.match(by: .destination, name: "db").map(\.id) == ["web-db", "web-any", "deny-all"])
        #expect(Self.set.match(by: .destination, name: "unknown").map(\.id) == ["web-any", "deny-all"])
        #expect(Self.set.forDestination("api") == Self.set.match(by: .destination, name: "api"))
    }

    @Test("matching by source gives the intentions naming it or \"*\" there, in evaluation order")
    func matchBySource() {
        #expect(
            Self.set.match(by: .source, name: "web").map(\.id) == [
                "config:api:web", "web-db", "config:api:*", "web-any", "deny-all",
            ])
        #expect(
            Self.set.match(by: .source, name: "billing").map(\.id) == [
                "billing-api", "config:api:*", "deny-all",
            ])
    }

    @Test("the proto's match-by converts, and its unspecified value does not")
    func matchByFromProto() {
        #expect(IntentionSet.MatchBy(Caravan_V1_IntentionMatchBy.source) == .source)
        #expect(IntentionSet.MatchBy(Caravan_V1_IntentionMatchBy.destination) == .destination)
        #expect(IntentionSet.MatchBy(Caravan_V1_IntentionMatchBy.unspecified) == nil)
    }

    @Test("lookups by ID and by pair, with the origin of each intention")
    func lookups() {
        #expect(Self.set.intention(id: "web-db")?.destinationName == "db")
        #expect(Self.set.origin(id: "web-db") == .stored)
        #expect(Self.set.origin(id: "config:api:web") == .configEntry)
        #expect(Self.set.intention(id: "missing") == nil)
        #expect(Self.set.intentions(source: "*", destination: "api").map(\.id) == ["config:api:*"])
        #expect(Self.set.intentions(source: "web", destination: "nope").isEmpty)
    }

    @Test("storing an intention for a pair an entry defines is refused, naming the entry")
    func storedConflict() {
        #expect(
            Self.set.conflict(writing: F.intention("web", "api", .deny))
                == "intention web → api is already defined by the service-intentions entry for api; "
                + "change the entry instead")
        #expect(Self.set.conflict(writing: F.intention("web", "db", .deny)) == nil)
        #expect(Self.set.conflict(writing: F.intention("admin", "api", .allow)) == nil)
    }

    @Test("an entry defining a pair a stored intention holds is refused, source by source")
    func entryConflict() {
        let entry = F.entry("db", [F.source("billing", .allow), F.source("web", .deny)])
        #expect(
            Self.set.conflicts(writing: entry) == [
                "sources[1]: intention web → db is already defined as a stored intention (ID web-db); "
                    + "delete it before adding it to this entry"
            ])
        // Rewriting the entry for api only conflicts with stored intentions, not with its own previous sources.
        #expect(Self.set.conflicts(writing: F.entry("api", [F.source("web", .deny), F.source("admin")])).isEmpty)
    }

    @Test("pairs already defined both ways are listed")
    func existingConflicts() {
        let set = IntentionSet(
            stored: [F.intention("web", "api", .allow, id: "old")], configEntries: [F.entry("api", [F.source("web")])])
        #expect(set.conflicts().count == 1)
        #expect(Self.set.conflicts().isEmpty)
        #expect(set.forDestination("api").map(\.id) == ["config:api:web", "old"])
    }

    @Test("a large set indexes every destination with its wildcards")
    func largeSet() {
        var stored: [Caravan_V1_Intention] = []
        for index in 0..<2_000 {
            stored.append(F.intention("client-\(index)", "service-\(index % 100)", index % 2 == 0 ? .allow : .deny))
        }
        stored.append(F.intention("*", "*", .deny))
        let set = IntentionSet(stored: stored, configEntries: [])
        let intentions = set.forDestination("service-7")
        #expect(intentions.count == 21)
        #expect(intentions.last?.sourceName == "*")
        #expect(intentions.dropLast().allSatisfy { $0.destinationName == "service-7" })
    }
}
