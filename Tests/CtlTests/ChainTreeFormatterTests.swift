import CaravanProto
import SwiftProtobuf
import Testing

@testable import CtlCommands

@Suite("discovery chain tree")
struct ChainTreeFormatterTests {
    static func target(_ id: String, filter: String = "", onlyPassing: Bool = false) -> Caravan_V1_DiscoveryTarget {
        .with {
            $0.id = id
            $0.subsetFilter = filter
            $0.onlyPassing = onlyPassing
        }
    }

    static func resolver(_ target: String, failover: [String] = []) -> Caravan_V1_ChainNode {
        .with {
            $0.type = .resolver
            $0.resolver.target = target
            if !failover.isEmpty { $0.resolver.failover.targets = failover }
        }
    }

    /// web over HTTP: /admin goes to admin (redirected to dc2), /login has a rewrite and retries, everything else
    /// is split 90/10 between subsets v1 (with failover) and v2.
    static let web = Caravan_V1_CompiledDiscoveryChain.with {
        $0.serviceName = "web"
        $0.datacenter = "dc1"
        $0.protocol = "http"
        $0.startNode = "router:web"
        $0.nodes = [
            "router:web": .with {
                $0.type = .router
                $0.routes = [
                    .with {
                        $0.definition.match.http.pathPrefix = "/admin"
                        $0.nextNode = "resolver:admin.default.dc1"
                    },
                    .with {
                        $0.definition.match.http.pathExact = "/login"
                        $0.definition.match.http.methods = ["POST"]
                        $0.definition.destination.prefixRewrite = "/session"
                        $0.definition.destination.requestTimeout = .init(seconds: 3)
                        $0.definition.destination.numRetries = 2
                        $0.nextNode = "resolver:auth.default.dc1"
                    },
                    .with { $0.nextNode = "splitter:web" },
                ]
            },
            "splitter:web": .with {
                $0.type = .splitter
                $0.splits = [
                    .with {
                        $0.weight = 90
                        $0.nextNode = "resolver:v1.web.default.dc1"
                    },
                    .with {
                        $0.weight = 10
                        $0.nextNode = "resolver:v2.web.default.dc1"
                    },
                ]
            },
            "resolver:admin.default.dc1": resolver("admin.default.dc2"),
            "resolver:auth.default.dc1": resolver("auth.default.dc1"),
            "resolver:v1.web.default.dc1": resolver(
                "v1.web.default.dc1", failover: ["v1.web.default.dc2", "v1.web.default.dc3"]),
            "resolver:v2.web.default.dc1": resolver("v2.web.default.dc1"),
        ]
        $0.targets = [
            "admin.default.dc2": target("admin.default.dc2"),
            "auth.default.dc1": target("auth.default.dc1"),
            "v1.web.default.dc1": target("v1.web.default.dc1", filter: "Service.Meta.version == v1", onlyPassing: true),
            "v2.web.default.dc1": target("v2.web.default.dc1", filter: "Service.Meta.version == v2"),
        ]
    }

    @Test("router → splitter → resolvers, with the redirect, failover targets and route options shown")
    func fullTree() {
        #expect(
            ChainTreeFormatter.format(Self.web) == """
                web (http, dc1)
                └─ router:web
                   ├─ /admin (path prefix) → resolver:admin.default.dc1 → redirect → target admin.default.dc2
                   ├─ /login (path exact, POST) [rewrite /session, timeout 3s, 2 retries] → resolver:auth.default.dc1 → target auth.default.dc1
                   └─ * (default) → splitter:web
                      ├─ 90% → resolver:v1.web.default.dc1 → target v1.web.default.dc1 (filter: Service.Meta.version == v1, only passing)
                      │  └─ failover → v1.web.default.dc2, v1.web.default.dc3
                      └─ 10% → resolver:v2.web.default.dc1 → target v2.web.default.dc1 (filter: Service.Meta.version == v2)
                """)
    }

    @Test("a TCP chain is a single resolver under the service, and overrides are called out")
    func tcp() {
        let chain = Caravan_V1_CompiledDiscoveryChain.with {
            $0.serviceName = "db"
            $0.namespace = "data"
            $0.datacenter = "dc1"
            $0.protocol = "tcp"
            $0.customized = true
            $0.startNode = "resolver:db.data.dc1"
            $0.nodes = ["resolver:db.data.dc1": Self.resolver("db.data.dc1")]
            $0.nodes["resolver:db.data.dc1"]?.resolver.connectTimeout = .init(seconds: 5)
        }
        #expect(
            ChainTreeFormatter.format(chain) == """
                data/db (tcp, dc1, compiled with overrides)
                └─ resolver:db.data.dc1 → target db.data.dc1 (connect timeout 5s)
                """)
    }

    @Test("a split weight with decimals keeps them; a dangling node is named, not dropped")
    func oddities() {
        #expect(ChainTreeFormatter.weight(33.33) == "33.33%")
        var chain = Self.web
        chain.nodes["splitter:web"]?.splits[1].nextNode = "resolver:gone"
        #expect(ChainTreeFormatter.format(chain).contains("└─ 10% → resolver:gone (missing from the chain)"))
    }

    @Test("route labels: headers and query parameters join the match, a bare route is the default")
    func routeText() {
        let route = Caravan_V1_ServiceRoute.with {
            $0.match.http.header = [
                .with {
                    $0.name = "x-env"; $0.exact = "canary"
                }
            ]
            $0.match.http.queryParam = [
                .with {
                    $0.name = "beta"; $0.present = true
                }
            ]
            $0.destination.retryOnStatusCodes = [503, 504]
        }
        #expect(RouteText.describe(route) == "* (header x-env = canary, query beta present) [retry on 503 504]")
        #expect(RouteText.describe(.init()) == "* (default)")
    }
}
