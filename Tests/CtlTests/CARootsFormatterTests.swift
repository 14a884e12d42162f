import CaravanProto
import SwiftProtobuf
import Testing

@testable import CtlCommands

@Suite("Connect CA output")
struct CARootsFormatterTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAKx0\n-----END CERTIFICATE-----\n"

    /// An old root rotated out and the new active one, as after `ctl mesh ca rotate`.
    static let roots = Caravan_V1_ListCARootsResponse.with {
        $0.trustDomain = "5f2c1b7e.caravan"
        $0.activeRootID = "c3:9a:11:7e:0d:42"
        $0.roots = [
            .with {
                $0.id = "8b:1f:2e:6a:9c:03"
                $0.name = "Caravan CA Primary Cert"
                $0.trustDomain = "5f2c1b7e.caravan"
                $0.notAfter = Fixture.timestamp(secondsAgo: -86_400 * 365)
                $0.rootCertPem = "old"
            },
            .with {
                $0.id = "c3:9a:11:7e:0d:42"
                $0.name = "Caravan CA Primary Cert"
                $0.active = true
                $0.notAfter = Fixture.timestamp(secondsAgo: -86_400 * 3650)
                $0.rootCertPem = pem
            },
        ]
    }

    @Test("roots: short IDs, which one is active, expiry and the trust domain (the set's when a root has none)")
    func table() {
        #expect(
            CARootsFormatter.table(Self.roots) == """
                ID        Name                     Active  Not After             Trust Domain
                8b:1f:2e  Caravan CA Primary Cert  false   2024-11-13T22:13:20Z  5f2c1b7e.caravan
                c3:9a:11  Caravan CA Primary Cert  true    2033-11-11T22:13:20Z  5f2c1b7e.caravan
                """)
        #expect(CARootsFormatter.table(.init()) == "No CA roots")
    }

    @Test("-pem prints the active root's certificate; the active root ID counts when the flag is unset")
    func pem() throws {
        #expect(try CARootsFormatter.activePEM(Self.roots) == String(Self.pem.dropLast()))
        var byID = Self.roots
        byID.roots[1].active = false
        #expect(try CARootsFormatter.activePEM(byID).hasPrefix("-----BEGIN CERTIFICATE-----"))
    }

    @Test("-pem with no active root is an error that says so")
    func noActiveRoot() {
        var none = Self.roots
        none.activeRootID = ""
        none.roots[1].active = false
        #expect(throws: (any Error).self) { try CARootsFormatter.activePEM(none) }
    }
}
