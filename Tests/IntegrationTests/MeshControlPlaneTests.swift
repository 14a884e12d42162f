import CaravanProto
import CaravanRPC
import Foundation
import Proxy
import TestSupport
import Testing

/// Snapshots a stand-in proxy received, with when they arrived, for waiting on the next one that matters.
actor SnapshotInbox {
    private(set) var received: [(snapshot: Caravan_V1_ProxySnapshot, at: ContinuousClock.Instant)] = []

    func record(_ snapshot: Caravan_V1_ProxySnapshot) { received.append((snapshot, .now)) }

    /// The first snapshot after the `skip` first ones satisfying `match`, waiting up to `timeout`.
    func next(
        after skip: Int = 0, timeout: Duration = .seconds(30),
        where match: (Caravan_V1_ProxySnapshot) -> Bool = { _ in true }
    ) async throws -> (snapshot: Caravan_V1_ProxySnapshot, at: ContinuousClock.Instant) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = received.dropFirst(skip).first(where: { match($0.snapshot) }) { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CaravanError.unavailable("no matching snapshot within \(timeout); got \(received.count)")
    }

    var count: Int { received.count }
}

@Suite(
    "meshd: intentions, config entries and the proxy push on 3 servers and 2 meshd replicas", .serialized,
    .timeLimit(.minutes(3)))
struct MeshControlPlaneTests {
    @Test(
        "a proxy gets a complete snapshot, a new one within 1 s of ctl intention create and ctl config write, and the same version from the other replica after its meshd is killed"
    )
    func pushAndFailover() async throws {
        try await MeshCluster.with(defaultIntentionPolicy: "deny") { cluster in
            let inbox = SnapshotInbox()
            let proxy = try await cluster.proxy(group: "api", service: "api")
            let running = Task {
                try await proxy.run {
                    await inbox.record($0); return nil
                }
            }
            defer { running.cancel() }

            let first = try await inbox.next { !$0.upstreams.isEmpty }.snapshot
            #expect(first.identity.service == "api" && first.identity.allocID == cluster.allocs["api"])
            #expect(first.tls.leaf.spiffeID.hasSuffix("/ns/default/dc/dc1/svc/api"))
            #expect(first.tls.leaf.certPem.contains("BEGIN CERTIFICATE") && !first.tls.roots.isEmpty)
            #expect(first.inbound.defaultAction == .deny && first.inbound.intentions.isEmpty)
            let upstream = try #require(first.upstreams.first)
            #expect(upstream.destinationName == "db" && upstream.localBindPort == 5432 && upstream.protocol == .tcp)
            let endpoints = upstream.targets.values.flatMap(\.endpoints)
            #expect(endpoints.count == 1 && endpoints.first?.address == "127.0.0.1")
            #expect(endpoints.first?.spiffeID.hasSuffix("/svc/db") == true)

            // An intention for api reaches its proxy within a second of ctl returning.
            let seen = await inbox.count
            let create = try await cluster.meshCtl(["intention", "create"], ["web", "api"])
            let created = ContinuousClock.now
            #expect(create.status == 0, "\(create.stderr)")
            let withIntention = try await inbox.next(after: seen) { snapshot in
                snapshot.inbound.intentions.contains { $0.sourceName == "web" && $0.action == .allow }
            }
            #expect(
                withIntention.at - created < .seconds(1), "snapshot \(withIntention.at - created) after ctl returned")
            #expect(withIntention.snapshot.version > first.version)
            let allowed = try await cluster.meshCtl(["intention", "check"], ["web", "api"])
            let denied = try await cluster.meshCtl(["intention", "check"], ["billing", "api"])
            #expect(allowed.status == 0 && denied.status == 1, "\(allowed.stdout) / \(denied.stdout)")

            // Config entries making db an HTTP service with a router reach the upstream listener just as fast.
            let defaultsPath = cluster.servers.root + "/db-defaults.hcl"
            try "Kind = \"service-defaults\"\nName = \"db\"\nProtocol = \"http\"\n".write(
                toFile: defaultsPath, atomically: true, encoding: .utf8)
            let routerPath = cluster.servers.root + "/db-router.hcl"
            try """
            Kind = "service-router"
            Name = "db"
            Routes = [
              {
                Match { HTTP { PathPrefix = "/admin" } }
                Destination { RequestTimeout = "2s" }
              }
            ]
            """.write(toFile: routerPath, atomically: true, encoding: .utf8)
            #expect(try await cluster.meshCtl(["config", "write"], [defaultsPath]).status == 0)
            let beforeRouter = await inbox.count
            let write = try await cluster.meshCtl(["config", "write"], [routerPath], mesh: 1)
            let written = ContinuousClock.now
            #expect(write.status == 0, "\(write.stderr)")
            let routed = try await inbox.next(after: beforeRouter) { $0.upstreams.first?.routes.count == 2 }
            #expect(routed.at - written < .seconds(1), "snapshot \(routed.at - written) after ctl returned")
            #expect(routed.snapshot.upstreams.first?.protocol == .http)
            #expect(routed.snapshot.upstreams.first?.routes.first?.match.http.pathPrefix == "/admin")

            // A write that would break the graph is refused with its reason and stores nothing.
            let badPath = cluster.servers.root + "/api-splitter.hcl"
            try """
            Kind = "service-splitter"
            Name = "api"
            Splits = [
              { Weight = 100, Service = "db" }
            ]
            """.write(toFile: badPath, atomically: true, encoding: .utf8)
            let refused = try await cluster.meshCtl(["config", "write"], [badPath])
            #expect(refused.status != 0 && refused.stderr.contains("protocol"), "\(refused.stderr)")
            let listed = try await cluster.meshCtl(["config", "list"], ["-kind", "service-splitter"])
            #expect(listed.status == 0 && !listed.stdout.contains("api"), "\(listed.stdout)")

            // Killing the replica the proxy is on moves it to the other one, which serves the same version.
            let lastVersion = routed.snapshot.version
            #expect(await proxy.connectedTo == cluster.meshAddresses[0])
            let beforeKill = await inbox.count
            _ = await cluster.meshes[0].stop(signal: SIGKILL)
            let again = try await inbox.next(after: beforeKill)
            #expect(await proxy.connectedTo == cluster.meshAddresses[1])
            #expect(again.snapshot.version == lastVersion, "the other replica computes the same version")
            #expect(again.snapshot.tls.leaf.serialNumber == routed.snapshot.tls.leaf.serialNumber, "the leaf is reused")
        }
    }

    @Test("a proxy with a forged token gets no certificate and a clear error")
    func forgedToken() async throws {
        try await MeshCluster.with { cluster in
            let proxy = try await cluster.proxy(group: "api", service: "api", token: "v1.e30.AAAA")
            do {
                try await proxy.run { _ in nil }
                Issue.record("the proxy was served")
            } catch {
                #expect(RPCErrorText.code(of: error) == .permissionDenied, "\(error)")
                #expect("\(error)".contains("workload token"), "\(error)")
            }
            // No token is issued for a service the allocation's group does not define.
            await #expect(throws: (any Error).self) { _ = try await cluster.token(group: "api", service: "db") }
        }
    }
}
