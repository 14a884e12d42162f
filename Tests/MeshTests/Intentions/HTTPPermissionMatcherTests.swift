import CaravanProto
import Mesh
import Testing

@Suite("L7 permission matching")
struct HTTPPermissionMatcherTests {
    typealias F = IntentionFixtures

    struct PathCase: Sendable, CustomTestStringConvertible {
        var permission: Caravan_V1_IntentionPermission
        var path: String
        var matches: Bool
        var testDescription: String {
            let http = permission.http
            return "\(http.pathExact)\(http.pathPrefix)\(http.pathRegex) vs \(path) → \(matches)"
        }
    }

    @Test(
        "paths match exactly, by prefix, or by a regex over the whole path; the query string is ignored",
        arguments: [
            PathCase(permission: F.permission(.allow, exact: "/health"), path: "/health", matches: true),
            PathCase(permission: F.permission(.allow, exact: "/health"), path: "/health/", matches: false),
            PathCase(permission: F.permission(.allow, exact: "/health"), path: "/health?verbose=1", matches: true),
            PathCase(permission: F.permission(.allow, prefix: "/admin"), path: "/admin/users", matches: true),
            PathCase(permission: F.permission(.allow, prefix: "/admin"), path: "/administrator", matches: true),
            PathCase(permission: F.permission(.allow, prefix: "/admin"), path: "/api/admin", matches: false),
            PathCase(permission: F.permission(.allow, regex: "/v[0-9]+/.*"), path: "/v2/items", matches: true),
            PathCase(permission: F.permission(.allow, regex: "/v[0-9]+/.*"), path: "/api/v2/items", matches: false),
            PathCase(permission: F.permission(.allow, regex: "/v[0-9]+"), path: "/v2/items", matches: false),
            PathCase(permission: F.permission(.allow, methods: ["GET"]), path: "/anything", matches: true),
        ])
    func paths(_ row: PathCase) throws {
        let matcher = try HTTPPermissionMatcher(row.permission.http)
        #expect(matcher.matches(IntentionHTTPRequest(method: "GET", path: row.path)) == row.matches)
    }

    @Test(
        "methods: none listed means any; otherwise one of them, in any case",
        arguments: [
            ([], "DELETE", true), (["GET", "HEAD"], "GET", true), (["GET", "HEAD"], "head", true),
            (["GET", "HEAD"], "POST", false), (["post"], "POST", true),
        ] as [([String], String, Bool)])
    func methods(listed: [String], method: String, matches: Bool) throws {
        let matcher = try HTTPPermissionMatcher(F.permission(.allow, prefix: "/", methods: listed).http)
        #expect(matcher.matches(IntentionHTTPRequest(method: method, path: "/x")) == matches)
    }

    struct HeaderCase: Sendable, CustomTestStringConvertible {
        var match: Caravan_V1_HTTPHeaderMatch
        var headers: [String: String]
        var matches: Bool
        var testDescription: String {
            let rule = [
                ("present", match.present ? "true" : ""), ("exact", match.exact), ("prefix", match.prefix),
                ("suffix", match.suffix), ("regex", match.regex),
            ].filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1)" }
            return "\(match.name) \(match.invert ? "not " : "")\(rule.joined()) vs \(headers) → \(matches)"
        }
    }

    @Test(
        "each header matcher, inverted or not; names are case-insensitive; a missing header fails a value matcher",
        arguments: [
            HeaderCase(match: F.header("x-canary", present: true), headers: ["x-canary": ""], matches: true),
            HeaderCase(match: F.header("x-canary", present: true), headers: [:], matches: false),
            HeaderCase(match: F.header("x-canary", present: true, invert: true), headers: [:], matches: true),
            HeaderCase(
                match: F.header("x-canary", present: true, invert: true), headers: ["x-canary": "1"], matches: false),
            HeaderCase(match: F.header("x-env", exact: "prod"), headers: ["X-Env": "prod"], matches: true),
            HeaderCase(match: F.header("X-ENV", exact: "prod"), headers: ["x-env": "prod"], matches: true),
            HeaderCase(match: F.header("x-env", exact: "prod"), headers: ["x-env": "production"], matches: false),
            HeaderCase(
                match: F.header("x-env", exact: "prod", invert: true), headers: ["x-env": "staging"], matches: true),
            HeaderCase(match: F.header("x-env", exact: "prod", invert: true), headers: [:], matches: false),
            HeaderCase(
                match: F.header("authorization", prefix: "Bearer "), headers: ["authorization": "Bearer abc"],
                matches: true),
            HeaderCase(
                match: F.header("authorization", prefix: "Bearer "), headers: ["authorization": "Basic abc"],
                matches: false),
            HeaderCase(
                match: F.header("host", suffix: ".internal"), headers: ["host": "api.internal"], matches: true),
            HeaderCase(match: F.header("host", suffix: ".internal"), headers: ["host": "api.example"], matches: false),
            HeaderCase(
                match: F.header("host", suffix: ".internal", invert: true), headers: ["host": "api.example"],
                matches: true),
            HeaderCase(match: F.header("x-version", regex: "v[0-9]+"), headers: ["x-version": "v12"], matches: true),
            HeaderCase(
                match: F.header("x-version", regex: "v[0-9]+"), headers: ["x-version": "v12-beta"], matches: false),
            HeaderCase(
                match: F.header("x-version", regex: "v[0-9]+", invert: true), headers: ["x-version": "beta"],
                matches: true),
        ])
    func headers(_ row: HeaderCase) throws {
        let matcher = try HTTPPermissionMatcher(F.permission(.allow, headers: [row.match]).http)
        #expect(matcher.matches(IntentionHTTPRequest(method: "GET", path: "/", headers: row.headers)) == row.matches)
    }

    @Test("every condition that is set must hold")
    func allConditions() throws {
        let http = F.permission(
            .allow, prefix: "/admin", methods: ["POST"], headers: [F.header("x-admin", exact: "yes")]
        ).http
        let matcher = try HTTPPermissionMatcher(http)
        #expect(matcher.matches(IntentionHTTPRequest(method: "POST", path: "/admin/x", headers: ["x-admin": "yes"])))
        #expect(!matcher.matches(IntentionHTTPRequest(method: "GET", path: "/admin/x", headers: ["x-admin": "yes"])))
        #expect(!matcher.matches(IntentionHTTPRequest(method: "POST", path: "/other", headers: ["x-admin": "yes"])))
        #expect(!matcher.matches(IntentionHTTPRequest(method: "POST", path: "/admin/x", headers: ["x-admin": "no"])))
        #expect(matcher.summary == "path_prefix \"/admin\", methods [POST], header x-admin exact \"yes\"")
    }

    @Test("a permission that cannot be enforced as written does not compile")
    func compileErrors() {
        #expect(throws: HTTPPermissionMatcher.CompileError.self) {
            try HTTPPermissionMatcher(F.permission(.allow, regex: "(unclosed").http)
        }
        #expect(throws: HTTPPermissionMatcher.CompileError.self) {
            try HTTPPermissionMatcher(F.permission(.allow, exact: "/a", prefix: "/b").http)
        }
        #expect(throws: HTTPPermissionMatcher.CompileError.self) {
            try HTTPPermissionMatcher(F.permission(.allow, headers: [F.header("x-a", regex: "[")]).http)
        }
    }

    @Test("a request's headers are keyed by lower-cased name and its path loses the query and fragment")
    func requestPreparation() {
        let request = IntentionHTTPRequest(method: "get", path: "/a/b?c=d#e", headers: ["X-Trace": "1"])
        #expect(request.method == "GET")
        #expect(request.path == "/a/b")
        #expect(request.header("x-trace") == "1")
        #expect(request.header("X-Trace") == nil)
    }
}
