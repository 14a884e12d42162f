import CaravanProto
import Mesh
import SwiftProtobuf
import Testing

@Suite("Intention validation")
struct IntentionValidatorTests {
    typealias F = IntentionFixtures

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var intention: Caravan_V1_Intention
        var protocolName = "http"
        var problems: [String]
        var testDescription: String { name }
    }

    static func with(
        _ intention: Caravan_V1_Intention, _ change: (inout Caravan_V1_Intention) -> Void
    ) -> Caravan_V1_Intention {
        var copy = intention
        change(&copy)
        return copy
    }

    static let rule =
        "use letters, digits and dashes, at most 63 characters, starting and ending with a letter or digit"

    static let rejections: [Case] = [
        Case(
            name: "empty source", intention: F.intention("", "api"),
            problems: [
                "source_name: required (a service name or \"*\")"
            ]),
        Case(
            name: "empty destination", intention: F.intention("web", ""),
            problems: [
                "destination_name: required (a service name or \"*\")"
            ]),
        Case(
            name: "invalid source name", intention: F.intention("web_1", "api"),
            problems: [
                "source_name: \"web_1\" is not a valid service name: \(rule)"
            ]),
        Case(
            name: "partial wildcard", intention: F.intention("web", "api*"),
            problems: [
                "destination_name: \"api*\" mixes \"*\" with a name; use \"*\" alone or an exact service name"
            ]),
        Case(
            name: "other namespace", intention: with(F.intention("web", "api")) { $0.sourceNamespace = "prod" },
            problems: ["source_namespace: only the \"default\" namespace exists, but it is \"prod\""]),
        Case(
            name: "other source type", intention: with(F.intention("web", "api")) { $0.sourceType = "external-uri" },
            problems: ["source_type: only \"consul\" is supported, but it is \"external-uri\""]),
        Case(
            name: "action and permissions",
            intention: with(F.l7("web", "api", [F.permission(.allow, prefix: "/")])) { $0.action = .allow },
            problems: ["action: set either action (L4) or permissions (L7), not both"]),
        Case(
            name: "neither action nor permissions", intention: F.intention("web", "api", .unspecified),
            problems: [
                "action: set an action (\"allow\" or \"deny\") or L7 permissions"
            ]),
        Case(
            name: "permissions on a tcp service", intention: F.l7("web", "api", [F.permission(.allow, prefix: "/")]),
            protocolName: "tcp",
            problems: [
                "permissions: L7 permissions need an HTTP-based protocol; service \"api\" speaks tcp — set it "
                    + "with a service-defaults entry"
            ]),
        Case(
            name: "permissions on a service without a protocol",
            intention: F.l7("web", "api", [F.permission(.allow, prefix: "/")]), protocolName: "",
            problems: [
                "permissions: L7 permissions need an HTTP-based protocol; service \"api\" speaks tcp — set it "
                    + "with a service-defaults entry"
            ]),
        Case(
            name: "permissions on a wildcard destination",
            intention: F.l7("web", "*", [F.permission(.allow, prefix: "/")]),
            problems: ["permissions: L7 permissions need a named destination service, not \"*\""]),
        Case(
            name: "permission without action",
            intention: F.l7(
                "web", "api", [F.permission(.allow, prefix: "/"), F.permission(.unspecified, prefix: "/")]),
            problems: ["permissions[1].action: set \"allow\" or \"deny\""]),
        Case(
            name: "permission without http",
            intention: F.l7("web", "api", [Caravan_V1_IntentionPermission.with { $0.action = .deny }]),
            problems: ["permissions[0].http: required; a permission matches HTTP requests"]),
        Case(
            name: "empty http", intention: F.l7("web", "api", [F.permission(.allow)]),
            problems: [
                "permissions[0].http: set at least one of path_exact, path_prefix, path_regex, methods or header"
            ]),
        Case(
            name: "two path matchers",
            intention: F.l7(
                "web", "api", [F.permission(.allow, prefix: "/"), F.permission(.deny, exact: "/a", prefix: "/b")]),
            problems: ["permissions[1].http: set only one of path_exact, path_prefix, path_regex"]),
        Case(
            name: "relative path_exact", intention: F.l7("web", "api", [F.permission(.allow, exact: "health")]),
            problems: ["permissions[0].http.path_exact: must start with \"/\", but it is \"health\""]),
        Case(
            name: "relative path_prefix", intention: F.l7("web", "api", [F.permission(.allow, prefix: "v1")]),
            problems: ["permissions[0].http.path_prefix: must start with \"/\", but it is \"v1\""]),
        Case(
            name: "unknown method",
            intention: F.l7("web", "api", [F.permission(.allow, prefix: "/", methods: ["GET", "FETCH"])]),
            problems: [
                "permissions[0].http.methods: \"FETCH\" is not an HTTP method; use one of GET, HEAD, POST, PUT, "
                    + "DELETE, CONNECT, OPTIONS, TRACE, PATCH"
            ]),
        Case(
            name: "repeated method",
            intention: F.l7("web", "api", [F.permission(.allow, prefix: "/", methods: ["get", "GET"])]),
            problems: ["permissions[0].http.methods: \"GET\" is listed more than once"]),
        Case(
            name: "header without name",
            intention: F.l7("web", "api", [F.permission(.allow, headers: [F.header("", present: true)])]),
            problems: ["permissions[0].http.header[0].name: required"]),
        Case(
            name: "header without condition",
            intention: F.l7("web", "api", [F.permission(.allow, headers: [F.header("x-a")])]),
            problems: ["permissions[0].http.header[0]: set exactly one of present, exact, prefix, suffix, regex"]),
        Case(
            name: "header with two conditions",
            intention: F.l7(
                "web", "api",
                [
                    F.permission(
                        .allow, headers: [F.header("x-a", present: true), F.header("x-b", exact: "1", suffix: "2")])
                ]
            ),
            problems: [
                "permissions[0].http.header[1]: set exactly one of present, exact, prefix, suffix, regex, "
                    + "but it sets exact and suffix"
            ]),
        Case(
            name: "too much meta",
            intention: with(F.intention("web", "api")) { intention in
                for index in 0..<65 { intention.meta["k\(index)"] = "v" }
            },
            problems: ["meta: at most 64 entries, but it has 65"]),
        Case(
            name: "long description",
            intention: with(F.intention("web", "api")) { $0.description_p = String(repeating: "x", count: 513) },
            problems: ["description: at most 512 characters, but it has 513"]),
    ]

    @Test("each invalid intention is rejected with a message naming its field", arguments: rejections)
    func rejection(_ row: Case) {
        #expect(IntentionValidator.validate(row.intention, destinationProtocol: row.protocolName) == row.problems)
    }

    @Test("a path regex that does not compile is rejected, naming the field and the pattern")
    func invalidRegex() {
        let intention = F.l7(
            "web", "api",
            [F.permission(.allow, regex: "/v(1"), F.permission(.allow, headers: [F.header("x-a", regex: "[a-")])])
        let problems = IntentionValidator.validate(intention, destinationProtocol: "http")
        #expect(problems.count == 2)
        #expect(
            problems.first?.hasPrefix("permissions[0].http.path_regex: \"/v(1\" is not a valid regular expression")
                == true)
        #expect(
            problems.last?.hasPrefix("permissions[1].http.header[0].regex: \"[a-\" is not a valid regular expression")
                == true)
    }

    @Test(
        "every combination of exact and wildcard names is valid",
        arguments: [("web", "api"), ("*", "api"), ("web", "*"), ("*", "*")])
    func wildcardCombinations(source: String, destination: String) {
        #expect(IntentionValidator.validate(F.intention(source, destination, .deny), destinationProtocol: "").isEmpty)
    }

    @Test("L7 permissions are valid on http, http2 and grpc services", arguments: ["http", "http2", "grpc", "HTTP"])
    func l7Protocols(protocolName: String) {
        let intention = F.l7(
            "web", "api",
            [
                F.permission(.deny, prefix: "/admin"),
                F.permission(.allow, regex: "/v[0-9]+/.*", methods: ["get"], headers: [F.header("x-a", suffix: "b")]),
            ])
        #expect(IntentionValidator.validate(intention, destinationProtocol: protocolName).isEmpty)
    }

    @Test("several problems are all reported")
    func severalProblems() {
        var intention = F.l7("Web_", "api", [F.permission(.allow, exact: "x")])
        intention.destinationNamespace = "other"
        let problems = IntentionValidator.validate(intention, destinationProtocol: "tcp")
        #expect(problems.count == 4)
    }

    @Test("a service-intentions entry is checked source by source, with the source's index in each message")
    func entryValidation() {
        let entry = F.entry(
            "api",
            [
                F.source("web", .allow), F.source("*", permissions: [F.permission(.allow, prefix: "v1")]),
                F.source("web", .deny),
            ])
        #expect(
            IntentionValidator.validate(serviceIntentions: entry, destinationProtocol: "http") == [
                "sources[1].permissions[0].http.path_prefix: must start with \"/\", but it is \"v1\"",
                "sources[2]: repeats the source \"web\" of sources[0]; give each source one entry",
            ])
        #expect(
            IntentionValidator.validate(serviceIntentions: F.entry("api", []), destinationProtocol: "http") == [
                "sources: at least one source is needed"
            ])
        let l7 = F.entry("api", [F.source("web", permissions: [F.permission(.allow, prefix: "/")])])
        #expect(
            IntentionValidator.validate(serviceIntentions: l7, destinationProtocol: "tcp") == [
                "sources[0].permissions: L7 permissions need an HTTP-based protocol; service \"api\" speaks tcp — "
                    + "set it with a service-defaults entry"
            ])
    }
}
