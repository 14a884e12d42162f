import CaravanProto
import SwiftProtobuf
import Testing

@testable import CtlCommands

@Suite("intention output")
struct IntentionFormatterTests {
    static let webID = "4f9a2c1e-0000-4000-8000-000000000001"
    static let starID = "7b3d5e6f-0000-4000-8000-000000000002"

    /// web → api with two L7 permissions: deny /admin unless a debug header is absent, allow reads.
    static let l7 = Caravan_V1_Intention.with {
        $0.id = webID
        $0.sourceName = "web"
        $0.destinationName = "api"
        $0.precedence = 9
        $0.description_p = "web reads the API"
        $0.meta = ["team": "storefront", "owner": "ana"]
        $0.createdAt = Fixture.timestamp(secondsAgo: 0)
        $0.modifyIndex = 42
        $0.permissions = [
            .with {
                $0.action = .deny
                $0.http.pathPrefix = "/admin"
                $0.http.header = [
                    .with {
                        $0.name = "x-debug"; $0.present = true; $0.invert = true
                    }
                ]
            },
            .with {
                $0.action = .allow
                $0.http.pathPrefix = "/"
                $0.http.methods = ["GET", "HEAD"]
            },
        ]
    }

    static let denyAll = Caravan_V1_Intention.with {
        $0.id = starID
        $0.sourceName = "*"
        $0.destinationName = "db"
        $0.action = .deny
        $0.precedence = 8
    }

    static let billing = Caravan_V1_Intention.with {
        $0.sourceName = "billing"
        $0.sourceNamespace = "finance"
        $0.destinationName = "api"
        $0.action = .allow
        $0.precedence = 9
    }

    @Test("list: one row per intention in the order given, L7 ones counted, config-entry ones without an ID")
    func table() {
        #expect(
            IntentionFormatter.table([Self.l7, Self.denyAll, Self.billing]) == """
                ID                                    Source               Destination  Action              Precedence
                4f9a2c1e-0000-4000-8000-000000000001  web              ->  api          L7 (2 permissions)  9
                7b3d5e6f-0000-4000-8000-000000000002  *                ->  db           deny                8
                -                                     finance/billing  ->  api          allow               9
                """)
        #expect(IntentionFormatter.table([]) == "No intentions found")
    }

    @Test("get: Key = value lines, then the permissions in the order they are tried")
    func block() {
        #expect(
            IntentionFormatter.block(Self.l7) == """
                Source       = web
                Destination  = api
                Action       = L7 (2 permissions)
                ID           = 4f9a2c1e-0000-4000-8000-000000000001
                Precedence   = 9
                Description  = web reads the API
                Meta[owner]  = ana
                Meta[team]   = storefront
                Created At   = 2023-11-14T22:13:20Z
                Modify Index = 42

                Permissions
                #  Action  Match
                1  deny    path prefix /admin, header x-debug not present
                2  allow   path prefix /, methods GET HEAD
                """)
    }

    @Test("get: an L4 intention shows its action and no permissions section")
    func blockL4() {
        let text = IntentionFormatter.block(Self.denyAll)
        #expect(text.contains("Action       = deny"))
        #expect(!text.contains("Permissions"))
    }

    @Test("match: SRC => DST (action) lines in the evaluation order received")
    func matches() {
        #expect(
            IntentionFormatter.matches([Self.billing, Self.l7, Self.denyAll]) == """
                finance/billing => api (allow)
                web => api (L7 (2 permissions))
                * => db (deny)
                """)
        #expect(IntentionFormatter.matches([]) == "No intentions match")
    }

    @Test("check: Allowed or Denied, then the reason and the deciding intention")
    func check() {
        let denied = Caravan_V1_CheckIntentionResponse.with {
            $0.allowed = false
            $0.reason = "permission 1 of web => api denies path prefix /admin"
            $0.matchedIntentionID = Self.webID
        }
        #expect(
            IntentionFormatter.check(denied) == """
                Denied
                Reason: permission 1 of web => api denies path prefix /admin
                Intention: 4f9a2c1e-0000-4000-8000-000000000001
                """)
        #expect(IntentionFormatter.check(.with { $0.allowed = true }) == "Allowed")
    }

    @Test(
        "header matches read as words, inverted ones negated",
        arguments: [
            (
                Caravan_V1_HTTPHeaderMatch.with {
                    $0.name = "x-env"; $0.exact = "canary"
                }, "header x-env = canary"
            ),
            (
                .with {
                    $0.name = "x-env"; $0.exact = "prod"; $0.invert = true
                }, "header x-env != prod"
            ),
            (
                .with {
                    $0.name = "user-agent"; $0.prefix = "curl/"
                }, "header user-agent prefix curl/"
            ),
            (
                .with {
                    $0.name = "host"; $0.suffix = ".internal"; $0.invert = true
                }, "header host not suffix .internal"
            ),
            (
                .with {
                    $0.name = "x-id"; $0.regex = "^[0-9]+$"
                }, "header x-id matching ^[0-9]+$"
            ),
        ])
    func headers(match: Caravan_V1_HTTPHeaderMatch, text: String) {
        #expect(PermissionText.header(match) == text)
    }
}
