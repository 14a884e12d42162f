import CaravanProto
import Foundation
import TestSupport
import Testing

/// Group networks end to end: a real serverd places the seed talk's jobs, a real clientd gives each allocation its
/// own namespace (bridge or none), maps ports, and removes every namespace, veth and rule it made. "Other
/// machines" are namespaces the test creates; nothing leaves this host.
@Suite(
    "allocation networks: bridge, none, port mapping", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: geteuid() == 0, "network namespaces need root"))
struct ClientNetworkingTests {
    /// A Python HTTP server answering "<alloc id> <port>" on every port given, from inside the allocation.
    static let serverScript = """
        import http.server, os, sys, threading
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (os.environ["NOMAD_ALLOC_ID"] + " " + str(self.server.server_port)).encode()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        servers = [http.server.ThreadingHTTPServer(("0.0.0.0", int(p)), Handler) for p in sys.argv[1:]]
        for server in servers[1:]:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        print("serving", os.environ.get("NOMAD_ALLOC_IP"), flush=True)
        servers[0].serve_forever()
        """

    /// The seed's api job: bridge mode, `static = "9090" to = "9090"`, plus a dynamic port mapped to 8081.
    static func apiJob(staticPort: Int) -> String {
        """
        job "api" {
          datacenters = ["dc1"]
          group "api" {
            network {
              mode = "bridge"
              port "http" {
                static = "\(staticPort)"
                to     = "\(staticPort)"
              }
              port "admin" {
                to = 8081
              }
            }
            task "api" {
              driver = "raw_exec"
              template {
                destination = "local/server.py"
                data        = <<EOT
        \(serverScript)
        EOT
              }
              config {
                command = "/usr/bin/python3"
                args    = ["local/server.py", "${NOMAD_PORT_http}", "${NOMAD_PORT_admin}"]
              }
            }
          }
        }
        """
    }

    @Test(
        "the seed's api job in bridge mode: static and dynamic ports answer on 127.0.0.1, from another machine and from the allocation itself"
    )
    func apiJobPorts() async throws {
        let bridge = await TestBridge()
        let remote = try await RemoteHost.create()
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"] + bridge.clientFlags)
        defer { cluster.stopAll() }
        do {
            try await cluster.start()
            try await cluster.run(job: "api", Self.apiJob(staticPort: 9090))
            let running = try await cluster.waitForAllocations(job: "api") { $0.contains(where: \.isRunning) }
            let alloc = try await cluster.allocation(running[0].id)
            let ports = Dictionary(
                alloc.allocatedResources.shared.networks[0].ports.map { ($0.label, $0) },
                uniquingKeysWith: { a, _ in a })
            let admin = try #require(ports["admin"])
            #expect((20000...32000).contains(admin.value))

            // From this host, through loopback, as users curl.
            #expect(try await httpGet("http://127.0.0.1:9090/") == "\(alloc.id) 9090")
            #expect(try await httpGet("http://127.0.0.1:\(admin.value)/") == "\(alloc.id) 8081")
            // From another machine, to the node's address on that network.
            #expect(try await remote.get("http://\(remote.hostAddress):9090/") == "\(alloc.id) 9090")
            #expect(try await remote.get("http://\(remote.hostAddress):\(admin.value)/") == "\(alloc.id) 8081")
            // Hairpin: the allocation reaches its own host port through the node's address.
            #expect(
                try await httpGet("http://\(remote.hostAddress):9090/", namespace: alloc.id) == "\(alloc.id) 9090")

            // The allocation's address: in the bridge subnet, reported to the servers, exported to the task.
            let subnetPrefix = String(bridge.subnet.dropLast("0/24".count))
            let reported = try await waitForAddress(cluster, alloc.id)
            #expect(reported.hasPrefix(subnetPrefix), "\(reported) not in \(bridge.subnet)")
            _ = try await waitForFile(
                "\(cluster.allocRoot)/\(alloc.id)/alloc/logs/api.stdout.0", containing: "serving \(reported)")
            let status = try await cluster.ctl(["alloc", "status"], [alloc.id])
            #expect(status.stdout.contains("Alloc IP"), "\(status.stdout)")
            #expect(status.stdout.contains(reported), "\(status.stdout)")
            #expect(await bridge.allocationRuleCount() == 4)
            #expect(await bridge.vethCount() == 1)

            let stop = try await cluster.ctl(["job", "stop"], ["api"])
            #expect(stop.status == 0, "\(stop.stderr)")
            _ = try await cluster.waitForAllocations(job: "api") { $0.allSatisfy(\.isFinished) }
            try await waitForTeardown(bridge, allocs: [alloc.id])
            #expect(try await httpGetOnce("http://127.0.0.1:9090/").status != 0)
        } catch {
            await remote.remove()
            await bridge.remove()
            throw error
        }
        await remote.remove()
        await bridge.remove()
    }

    /// Waits until clientd has reported the allocation's address and returns it.
    func waitForAddress(_ cluster: ClientCluster, _ id: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let address = try await cluster.allocation(id).networkStatus.address
            if !address.isEmpty { return address }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestbedError("allocation \(id) never reported an address")
    }

    /// Waits until no DNAT rule, veth or namespace of `allocs` remains (teardown runs as the allocation finishes).
    func waitForTeardown(_ bridge: TestBridge, allocs: [String]) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let namespaces = await networkNamespaces()
            if await bridge.allocationRuleCount() == 0, await bridge.vethCount() == 0,
                allocs.allSatisfy({ !namespaces.contains($0) })
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let left = await (bridge.allocationRuleCount(), bridge.vethCount(), networkNamespaces().intersection(allocs))
        throw TestbedError("network of \(allocs) not torn down: rules, veths, namespaces = \(left)")
    }
}
