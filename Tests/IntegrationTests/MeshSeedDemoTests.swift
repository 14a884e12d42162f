import CaravanProto
import CaravanRPC
import Foundation
import Proxy
import TestSupport
import Testing

/// The seed talk's mesh demos through `ctl` against real daemons: its intentions, the router/splitter/resolver and
/// L7 intention entries, plus the CA's rotation and leaf renewal as proxies see them.
@Suite(
    "meshd: the seed talk's intentions and config entries, CA rotation and leaf renewal", .serialized,
    .timeLimit(.minutes(3)))
struct MeshSeedDemoTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SpecTests/Fixtures/config-entries")

    @Test(
        "seed intentions, router/splitter/resolver and L7 entries apply and decide; rotation and renewal reach the proxy"
    )
    func seedDemos() async throws {
        try await MeshCluster.with(defaultIntentionPolicy: "allow", serverFlags: ["-connect-leaf-ttl", "6s"]) {
            cluster in
            let inbox = SnapshotInbox()
            let proxy = try await cluster.proxy(group: "db", service: "db")
            let running = Task {
                try await proxy.run {
                    await inbox.record($0); return nil
                }
            }
            defer { running.cancel() }
            let first = try await inbox.next().snapshot

            // The talk's intentions, exactly as typed there.
            for (arguments, output) in [
                (["-deny", "*", "*"], "Created: * => * (deny)"),
                (["-allow", "web", "app"], "Created: web => app (allow)"),
                (["-allow", "web", "db"], "Created: web => db (allow)"),
            ] {
                let created = try await cluster.meshCtl(["intention", "create"], arguments)
                #expect(created.status == 0 && created.stdout.contains(output), "\(created.stdout)\(created.stderr)")
            }
            #expect(try await cluster.meshCtl(["intention", "check"], ["web", "db"]).status == 0)
            #expect(try await cluster.meshCtl(["intention", "check"], ["api", "db"]).status == 1, "* => * denies")
            let match = try await cluster.meshCtl(["intention", "match"], ["-destination", "db"])
            let lines = match.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("web => db") == true && lines.last?.contains("* => *") == true, "\(lines)")
            let denyAll = try await inbox.next { $0.inbound.intentions.count == 2 }
            #expect(denyAll.snapshot.inbound.intentions.map(\.sourceName) == ["web", "*"], "evaluation order")

            // The demo entries: api's defaults, resolver, splitter and L7 intentions; web's router to admin.
            for name in ["api-defaults", "api-resolver", "api-splitter", "api-intentions"] {
                let written = try await cluster.meshCtl(
                    ["config", "write"], [Self.fixtures.appendingPathComponent("\(name).hcl").path])
                #expect(written.status == 0, "\(name): \(written.stderr)")
            }
            let router = Self.fixtures.appendingPathComponent("web-router.hcl").path
            let refused = try await cluster.meshCtl(["config", "write"], [router])
            #expect(refused.status != 0 && refused.stderr.contains("web-router.hcl:"), "positioned: \(refused.stderr)")
            for service in ["web", "admin"] {
                let path = cluster.servers.root + "/\(service)-defaults.hcl"
                try "Kind = \"service-defaults\"\nName = \"\(service)\"\nProtocol = \"http\"\n".write(
                    toFile: path, atomically: true, encoding: .utf8)
                #expect(try await cluster.meshCtl(["config", "write"], [path]).status == 0)
            }
            #expect(try await cluster.meshCtl(["config", "write"], [router]).status == 0)
            let chain = try await cluster.meshCtl(["mesh", "chain"], ["api"])
            #expect(
                chain.status == 0 && chain.stdout.contains("splitter:api") && chain.stdout.contains("90%"),
                "\(chain.stdout)")
            let read = try await cluster.meshCtl(["config", "read"], ["-kind", "service-router", "-name", "web"])
            #expect(read.status == 0 && read.stdout.contains("\"PathPrefix\": \"/admin\""), "\(read.stdout)")
            let adminDenied = try await cluster.meshCtl(
                ["intention", "check"], ["-http-method", "GET", "-http-path", "/admin/users", "web", "api"])
            let canaryAllowed = try await cluster.meshCtl(
                ["intention", "check"],
                ["-http-method", "GET", "-http-path", "/items", "-http-header", "x-canary=1", "web", "api"])
            let postDenied = try await cluster.meshCtl(
                ["intention", "check"],
                ["-http-method", "POST", "-http-path", "/items", "-http-header", "x-canary=1", "web", "api"])
            #expect(
                adminDenied.status == 1 && canaryAllowed.status == 0, "\(adminDenied.stdout) / \(canaryAllowed.stdout)")
            #expect(postDenied.status == 0, "no permission matches: the default policy (allow here) decides")

            let services = try await MeshCluster.ctl(
                cluster.servers, server: cluster.servers.slots[2].rpcAddress, ["service", "list"], [])
            #expect(
                services.status == 0 && services.stdout.contains("api") && services.stdout.contains("db"),
                "\(services.stdout)")

            // Rotation: the proxy gets both roots; its leaf (of the old root) stays valid.
            let before = await inbox.count
            let rotate = try await cluster.meshCtl(["mesh", "ca", "rotate"], [])
            let rotated = ContinuousClock.now
            #expect(rotate.status == 0, "\(rotate.stderr)")
            let withBoth = try await inbox.next(after: before) { $0.tls.roots.count == 2 }
            #expect(withBoth.at - rotated < .seconds(1))
            let roots = try await cluster.meshCtl(["mesh", "ca", "roots"], [])
            #expect(roots.status == 0 && roots.stdout.split(separator: "\n").count >= 3, "\(roots.stdout)")

            // Renewal: a 6 s leaf is renewed at 60-90 % of its life; after the rotation, by the new root.
            let newRoot = try #require(withBoth.snapshot.tls.roots.first(where: \.active)?.id)
            let rotatedAt = await inbox.count
            let renewed = try await inbox.next(after: rotatedAt - 1, timeout: .seconds(15)) {
                $0.tls.leaf.rootID == newRoot
            }
            #expect(renewed.snapshot.tls.leaf.serialNumber != withBoth.snapshot.tls.leaf.serialNumber)
            #expect(renewed.snapshot.version > withBoth.snapshot.version)
            let renewals = Set(await inbox.received.map(\.snapshot.tls.leaf.serialNumber))
            #expect(renewals.count >= 2 && renewals.contains(first.tls.leaf.serialNumber))
        }
    }
}
