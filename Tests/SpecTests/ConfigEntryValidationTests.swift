import Spec
import Testing

@Suite("Mesh config entry validation")
struct ConfigEntryValidationTests {
    static let labelRule =
        "use lowercase letters, digits and dashes, at most 63 characters, not starting or ending with a dash"
    static let kinds = "service-defaults, service-router, service-splitter, service-resolver, service-intentions"

    /// One fixture per rule under `Fixtures/config-entries/invalid`, with every line decoding must report.
    static let corpus: [(String, [String])] = [
        (
            "splits-sum.hcl",
            ["invalid/splits-sum.hcl:3:1: the split weights must add up to 100, but they add up to 110"]
        ),
        (
            "splits-sum.json",
            ["invalid/splits-sum.json:4:3: the split weights must add up to 100, but they add up to 99.5"]
        ),
        (
            "splits-range.hcl",
            [
                "invalid/splits-range.hcl:4:14: Weight must be between 0 and 100, but it is 120",
                "invalid/splits-range.hcl:5:14: Weight must be between 0 and 100, but it is -20",
            ]
        ),
        (
            "router-two-paths.hcl",
            [
                "invalid/router-two-paths.hcl:8:9: at most one of PathExact, PathPrefix and PathRegex may be set, "
                    + "but PathExact and PathPrefix are"
            ]
        ),
        (
            "router-prefix-rewrite.hcl",
            [
                "invalid/router-prefix-rewrite.hcl:8:7: PrefixRewrite needs the route to match on PathExact or "
                    + "PathPrefix"
            ]
        ),
        (
            "router-path-slash.hcl",
            [
                "invalid/router-path-slash.hcl:5:33: PathPrefix must start with \"/\", but it is \"admin\"",
                "invalid/router-path-slash.hcl:9:32: PathExact must start with \"/\", but it is \"login\"",
            ]
        ),
        (
            "router-bad-regex.hcl",
            [
                "invalid/router-bad-regex.hcl:7:21: PathRegex \"/api/([a-z]+\" is not a valid regular expression",
                "invalid/router-bad-regex.hcl:9:41: Regex \"v[0-9\" is not a valid regular expression",
            ]
        ),
        (
            "router-header-match.hcl",
            [
                "invalid/router-header-match.hcl:9:11: Header \"x-debug\" needs exactly one of Present, Exact, "
                    + "Prefix, Suffix or Regex",
                "invalid/router-header-match.hcl:10:11: Header \"x-user\" needs exactly one of Present, Exact, "
                    + "Prefix, Suffix or Regex, but sets Exact and Prefix",
                "invalid/router-header-match.hcl:13:11: QueryParam \"beta\" needs exactly one of Present, Exact or "
                    + "Regex, but sets Present and Exact",
            ]
        ),
        (
            "resolver-redirect-failover.hcl",
            ["invalid/resolver-redirect-failover.hcl:7:1: Redirect and Failover cannot both be set"]
        ),
        (
            "resolver-subset-names.hcl",
            [
                "invalid/resolver-subset-names.hcl:6:3: subset name \"V2\" is not a DNS label: \(labelRule)",
                "invalid/resolver-subset-names.hcl:7:3: subset name \"-old\" is not a DNS label: \(labelRule)",
            ]
        ),
        (
            "resolver-default-subset.hcl",
            [
                "invalid/resolver-default-subset.hcl:3:17: DefaultSubset \"v3\" is not one of the subsets defined "
                    + "in Subsets (v1, v2)"
            ]
        ),
        (
            "intentions-action.hcl",
            [
                "invalid/intentions-action.hcl:4:28: Action must be \"allow\" or \"deny\", but it is \"permit\"",
                "invalid/intentions-action.hcl:9:18: Action must be \"allow\" or \"deny\", but it is \"block\"",
            ]
        ),
        (
            "intentions-action-and-permissions.hcl",
            [
                "invalid/intentions-action-and-permissions.hcl:7:5: source \"web\" sets both Action and "
                    + "Permissions; use Action for L4 or Permissions for L7, not both",
                "invalid/intentions-action-and-permissions.hcl:9:3: source \"batch\" needs an Action or Permissions",
            ]
        ),
        (
            "unknown-keys.hcl",
            [
                "invalid/unknown-keys.hcl:3:1: unknown attribute \"Partition\" at the top level; expected one of: "
                    + "Kind, Name, Namespace, Meta, Routes",
                "invalid/unknown-keys.hcl:6:44: unknown attribute \"PathSuffix\" in HTTP; expected one of: "
                    + "PathExact, PathPrefix, PathRegex, Header, QueryParam, Methods",
                "invalid/unknown-keys.hcl:9:7: unknown attribute \"idle_timeout\" in Destination; expected one of: "
                    + "Service, ServiceSubset, Namespace, PrefixRewrite, RequestTimeout, NumRetries, "
                    + "RetryOnConnectFailure, RetryOnStatusCodes",
            ]
        ),
        (
            "unsupported-kind.hcl",
            ["invalid/unsupported-kind.hcl:1:8: unsupported kind \"proxy-defaults\"; Caravan supports: \(kinds)"]
        ),
        (
            "missing-kind-and-name.json",
            [
                "invalid/missing-kind-and-name.json:1:1: a config entry needs a Kind, one of: \(kinds)",
                "invalid/missing-kind-and-name.json:1:1: a config entry needs a Name (the service it configures)",
            ]
        ),
    ]

    @Test("each validation rule reports file:line:col and a message", arguments: corpus)
    func rule(file: String, expected: [String]) throws {
        let errors = try ConfigEntryFixtures.errors("invalid/" + file)
        #expect(errors == expected)
    }

    @Test("one file with many mistakes reports all of them, in file order")
    func several() throws {
        let file = "invalid/several.hcl"
        #expect(
            try ConfigEntryFixtures.errors(file) == [
                "\(file):3:8: Name \"api_v1\" is not a valid service name: use letters, digits and dashes, at most "
                    + "63 characters, starting and ending with a letter or digit",
                "\(file):4:1: Redirect and DefaultSubset cannot both be set",
                "\(file):4:17: DefaultSubset \"v9\" is not one of the subsets defined in Subsets (v2)",
                "\(file):5:1: ConnectTimeout: \"5 seconds\" is not a duration: unknown unit \" seconds\" (use ns, "
                    + "us, ms, s, m or h)",
                "\(file):6:1: Redirect and Subsets cannot both be set",
                "\(file):7:3: subset name \"V1\" is not a DNS label: \(Self.labelRule)",
                "\(file):10:5: unknown attribute \"OnlyHealthy\" in v2; expected one of: Filter, OnlyPassing",
                "\(file):16:1: Redirect and Failover cannot both be set",
                "\(file):17:26: ServiceSubset \"v1\" is not one of the subsets defined in Subsets",
                "\(file):20:12: Policy must be \"random\", \"round_robin\", \"least_request\", \"ring_hash\" or "
                    + "\"maglev\", but it is \"least_connections\"",
            ])
    }

    /// Smaller rules, written inline: (what the file says, the errors it yields).
    static let inline: [(String, [String])] = [
        (
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Match { HTTP { PathPrefix = "/", Methods = ["GET", "get", "GET"] } } }]
            """,
            [
                "e.hcl:3:56: Methods: \"get\" is not an HTTP method; use one of GET, HEAD, POST, PUT, DELETE, "
                    + "CONNECT, OPTIONS, TRACE, PATCH",
                "e.hcl:3:56: Methods: \"GET\" is listed more than once",
            ]
        ),
        (
            """
            Kind = "service-router"
            Name = "web"
            Routes = [{ Destination { Service = "api", RetryOnStatusCodes = [503, 700], NumRetries = -1 } }]
            """,
            [
                "e.hcl:3:65: RetryOnStatusCodes must list HTTP status codes (100 to 599), but it has number 700",
                "e.hcl:3:90: NumRetries must be between 0 and 4294967295, but it is -1",
            ]
        ),
        (
            """
            Kind = "service-splitter"
            Name = "api"
            Splits = [{ Weight = 50, ServiceSubset = "v1" }, { Weight = 50, ServiceSubset = "v1" }]
            """,
            ["e.hcl:3:50: Splits[1] sends traffic to the same service and subset as Splits[0]"]
        ),
        (
            "Kind = \"service-splitter\"\nName = \"api\"\nSplits = []\n",
            ["e.hcl:3:10: Splits must list at least one split"]
        ),
        (
            """
            Kind = "service-resolver"
            Name = "api"
            Subsets = { v1 = { Filter = "Service.Meta.version == v1" } }
            Failover = {
              v2 = { Service = "api-backup" }
              v1 = {}
            }
            """,
            [
                "e.hcl:5:3: Failover \"v2\" must name a subset defined in Subsets or be \"*\"",
                "e.hcl:6:3: a failover must set at least one of Service, ServiceSubset, Namespace or Datacenters",
            ]
        ),
        (
            "Kind = \"service-resolver\"\nName = \"api\"\nRedirect {}\n",
            ["e.hcl:3:1: Redirect must set at least one of Service, ServiceSubset, Namespace or Datacenter"]
        ),
        (
            """
            Kind = "service-resolver"
            Name = "api"
            LoadBalancer {
              Policy = "least_request"
              RingHashConfig { MinimumRingSize = 10 }
              HashPolicies = [{ Field = "header", SourceIP = true }]
            }
            """,
            [
                "e.hcl:5:3: RingHashConfig applies only to Policy \"ring_hash\"",
                "e.hcl:6:3: HashPolicies applies only to Policy \"ring_hash\" or \"maglev\"",
                "e.hcl:6:21: Field needs a FieldValue naming the header",
                "e.hcl:6:39: set Field or SourceIP, not both",
            ]
        ),
        (
            """
            Kind = "service-intentions"
            Name = "api"
            Sources = [
              { Name = "web", Permissions = [{ Action = "allow" }, { HTTP {} }] },
              { Name = "web", Action = "deny" },
            ]
            """,
            [
                "e.hcl:4:34: a permission needs an HTTP match",
                "e.hcl:4:56: a permission needs an Action (\"allow\" or \"deny\")",
                "e.hcl:4:58: HTTP must set at least one of PathExact, PathPrefix, PathRegex, Methods or Header",
                "e.hcl:5:3: Sources[1] repeats the source \"web\" of Sources[0]; give each source one entry",
            ]
        ),
        (
            "Kind = \"service-defaults\"\nName = \"api\"\nProtocol = \"udp\"\nMeshGateway { Mode = \"far\" }\n",
            [
                "e.hcl:3:12: Protocol must be \"tcp\", \"http\", \"http2\" or \"grpc\", but it is \"udp\"",
                "e.hcl:4:22: Mode must be \"none\", \"local\" or \"remote\", but it is \"far\"",
            ]
        ),
        (
            "{\"Kind\": \"service-splitter\", \"Name\": \"api\", \"Splits\": [{\"Weight\": \"ninety\"}]}",
            ["e.json:1:67: invalid value for \"Weight\": a number is required, but got string \"ninety\""]
        ),
    ]

    @Test(
        "smaller rules: methods, status codes, duplicate splits and sources, failover, load balancing, enums",
        arguments: inline)
    func inlineRule(text: String, expected: [String]) {
        let filename = text.hasPrefix("{") ? "e.json" : "e.hcl"
        #expect(ConfigEntryFixtures.errors(SpecSource(filename: filename, text: text)) == expected)
    }

    @Test("a file that is not HCL reports the parser's positioned error")
    func syntaxError() {
        let errors = ConfigEntryFixtures.errors(
            SpecSource(filename: "bad.hcl", text: "Kind = \"service-router\"\nRoutes = [\n"))
        #expect(errors.count >= 1)
        #expect(errors.first?.hasPrefix("bad.hcl:") == true)
    }
}
