import CaravanProto
import HCL
import SwiftProtobuf
import Testing

@testable import Spec

@Suite("Config entries encode to Consul's JSON and decode back unchanged")
struct ConfigEntryJSONEncoderTests {
    /// Encodes, decodes the text as `config write` would, and returns both.
    static func roundTrip(_ entry: Caravan_V1_ConfigEntry) throws -> (json: String, decoded: Caravan_V1_ConfigEntry) {
        let json = ConfigEntryJSONEncoder.encode(entry)
        let decoded = try ConfigEntrySpec.decode(SpecSource(filename: "read.json", bytes: Array(json.utf8)))
        return (json, ConfigEntryFixtures.withoutPosition(decoded))
    }

    @Test(
        "every valid fixture, one or more per kind, survives decode → encode → decode",
        arguments: [
            "api-defaults.hcl", "api-defaults-full.hcl", "web-router.hcl", "web-router-full.hcl",
            "api-splitter.hcl", "api-resolver.hcl", "api-resolver-full.hcl", "api-intentions.hcl",
            "api-intentions.json",
        ])
    func fixtures(name: String) throws {
        let entry = ConfigEntryFixtures.withoutPosition(try ConfigEntryFixtures.decode(name))
        let (json, decoded) = try Self.roundTrip(entry)
        #expect(decoded == entry, "\(json)")
    }

    @Test("a splitter prints Kind and Name first, CamelCase keys, weights as the shortest decimal")
    func splitterText() {
        let entry = Caravan_V1_ConfigEntry.with {
            $0.kind = "service-splitter"
            $0.name = "api"
            $0.serviceSplitter.splits = [
                .with {
                    $0.weight = 66.67
                    $0.serviceSubset = "v1"
                },
                .with {
                    $0.weight = 33.33
                    $0.service = "api-next"
                },
            ]
        }
        #expect(
            ConfigEntryJSONEncoder.encode(entry) == """
                {
                    "Kind": "service-splitter",
                    "Name": "api",
                    "Splits": [
                        {
                            "Weight": 66.67,
                            "ServiceSubset": "v1"
                        },
                        {
                            "Weight": 33.33,
                            "Service": "api-next"
                        }
                    ]
                }
                """)
    }

    @Test("a resolver writes subsets and failover sorted by name and ConnectTimeout as a Go duration")
    func resolverText() throws {
        let json = ConfigEntryJSONEncoder.encode(try ConfigEntryFixtures.decode("api-resolver-full.hcl"))
        #expect(json.contains("\"ConnectTimeout\": \"15s\""))
        #expect(json.contains("\"TTL\": \"1h0m0s\""))
        let failover = try #require(json.range(of: "\"Failover\": {"))
        let rest = json[failover.upperBound...]
        let star = try #require(rest.range(of: "\"*\": {"))
        let v2 = try #require(rest.range(of: "\"v2\": {"))
        #expect(star.lowerBound < v2.lowerBound)
        #expect(json.hasPrefix("{\n    \"Kind\": \"service-resolver\",\n    \"Name\": \"api\","))
    }

    @Test("a resolver with a redirect and a least-request balancer round-trips")
    func redirect() throws {
        let entry = Caravan_V1_ConfigEntry.with {
            $0.kind = "service-resolver"
            $0.name = "billing"
            $0.meta = ["team": "payments", "tier": "1"]
            $0.serviceResolver.redirect = .with {
                $0.service = "billing-v2"
                $0.datacenter = "dc2"
            }
            $0.serviceResolver.connectTimeout = .init(seconds: 1, nanos: 500_000_000)
            $0.serviceResolver.loadBalancer = .with {
                $0.policy = .leastRequest
                $0.leastRequestConfig.choiceCount = 3
            }
        }
        let (json, decoded) = try Self.roundTrip(entry)
        #expect(decoded == entry, "\(json)")
        #expect(json.contains("\"ConnectTimeout\": \"1.5s\""))
    }

    @Test("upstream timeouts that are not whole milliseconds, and empty blocks, still round-trip")
    func defaultsEdges() throws {
        let entry = Caravan_V1_ConfigEntry.with {
            $0.kind = "service-defaults"
            $0.name = "web"
            $0.serviceDefaults.upstreamConfig.defaults = .with {
                $0.connectTimeout = .init(seconds: 2, nanos: 1)
                $0.limits = .with { $0.maxConnections = 0 }
                $0.passiveHealthCheck = .init()
            }
            $0.serviceDefaults.expose = .init()
        }
        let (json, decoded) = try Self.roundTrip(entry)
        #expect(decoded == entry, "\(json)")
        #expect(json.contains("\"ConnectTimeout\": \"2.000000001s\"") || json.contains("\"ConnectTimeout\": \"2s1ns\""))
    }

    @Test("intentions keep L7 permissions, quotes, backslashes and newlines in strings")
    func intentions() throws {
        let entry = Caravan_V1_ConfigEntry.with {
            $0.kind = "service-intentions"
            $0.name = "*"
            $0.serviceIntentions.sources = [
                .with {
                    $0.name = "web"
                    $0.description_p = "say \"hi\"\nC:\\path"
                    $0.permissions = [
                        .with {
                            $0.action = .deny
                            $0.http.pathRegex = "^/admin/[a-z]+\\d*$"
                            $0.http.header = [
                                .with {
                                    $0.name = "x-debug"; $0.present = true; $0.invert = true
                                }
                            ]
                        },
                        .with {
                            $0.action = .allow
                            $0.http.methods = ["GET", "HEAD"]
                        },
                    ]
                },
                .with {
                    $0.name = "*"
                    $0.action = .deny
                    $0.precedence = 5
                },
            ]
        }
        let (json, decoded) = try Self.roundTrip(entry)
        #expect(decoded == entry, "\(json)")
        #expect(json.contains("\"Description\": \"say \\\"hi\\\"\\nC:\\\\path\""))
    }

    @Test(
        "durations print as Go does and read back to the same nanosecond",
        arguments: [
            (Int64(0), "0s"), (5_000_000_000, "5s"), (90_000_000_000, "1m30s"), (3_600_000_000_000, "1h0m0s"),
            (1_500_000_000, "1.5s"), (250_000_000, "250ms"), (1_500, "1.5µs"), (42, "42ns"),
        ])
    func durations(nanoseconds: Int64, text: String) {
        #expect(GoDurationText.text(nanoseconds: nanoseconds) == text)
        #expect(DurationText.nanoseconds(text) == .success(nanoseconds))
    }

    @Test(
        "awkward durations still read back to the same nanosecond",
        arguments: [Int64(1_000_000_001), 999_999_999, 86_400_123_456_789, 8_640_000_000_000_001, 7_199_999_999_999])
    func exact(nanoseconds: Int64) {
        let text = GoDurationText.text(nanoseconds: nanoseconds)
        #expect(DurationText.nanoseconds(text) == .success(nanoseconds), "\(text)")
    }

    @Test("the whole-unit fallback names every non-zero unit")
    func wholeUnits() {
        #expect(GoDurationText.wholeUnits(3_601_000_000_001) == "1h1s1ns")
        #expect(GoDurationText.wholeUnits(-1_500_000) == "-1ms500us")
    }
}
