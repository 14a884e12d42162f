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
        try await withRemoteHost { remote in
            try await withBridgedCluster { cluster, bridge in
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
            }
        }
    }

    @Test("egress: a bridge-mode task reaches another machine; a none-mode task has loopback only and reaches nothing")
    func egressAndNone() async throws {
        let site = try TemporaryDirectory.make(prefix: "caravan-remote-site")
        defer { try? FileManager.default.removeItem(atPath: site) }
        try await withRemoteHost { remote in
            try await withBridgedCluster { cluster, bridge in
                try remote.serve(port: 8000, body: "remote-ok", directory: site)
                _ = try await remote.get("http://\(remote.address):8000/")
                try await cluster.start()
                let probe = "curl -sS --max-time 5 http://\(remote.address):8000/ || echo unreachable; ip -o link"
                try await cluster.run(
                    job: "egress",
                    """
                    job "egress" {
                      datacenters = ["dc1"]
                      type        = "batch"
                      group "bridged" {
                        network {
                          mode = "bridge"
                        }
                        task "probe" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "\(probe)"]
                          }
                        }
                      }
                      group "sealed" {
                        network {
                          mode = "none"
                        }
                        task "probe" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "\(probe)"]
                          }
                        }
                      }
                    }
                    """)
                let allocs = try await cluster.waitForAllocations(job: "egress") {
                    $0.count == 2 && $0.allSatisfy(\.isFinished)
                }
                let bridged = try #require(allocs.first { $0.taskGroup == "bridged" })
                let sealed = try #require(allocs.first { $0.taskGroup == "sealed" })
                #expect(bridged.clientStatus == .complete, "\(ClientCluster.summary(bridged))")
                #expect(sealed.clientStatus == .complete, "\(ClientCluster.summary(sealed))")

                let bridgedLog = cluster.log(alloc: bridged.id, task: "probe")
                #expect(bridgedLog.hasPrefix("remote-ok"), "\(bridgedLog)")
                #expect(bridgedLog.contains(" eth0@"), "\(bridgedLog)")

                let sealedLog = cluster.log(alloc: sealed.id, task: "probe")
                #expect(sealedLog.hasPrefix("unreachable"), "\(sealedLog)")
                let links = sealedLog.split(separator: "\n").dropFirst()
                #expect(links.count == 1 && links.allSatisfy { $0.contains(": lo: ") }, "\(sealedLog)")
                try await waitForTeardown(bridge, allocs: [bridged.id, sealed.id])
            }
        }
    }

    @Test("an exec task and a raw_exec task of one group share the namespace and talk over 127.0.0.1")
    func driversShareNamespace() async throws {
        try await withBridgedCluster { cluster, bridge in
            try await cluster.start()
            try await cluster.run(
                job: "pair",
                """
                job "pair" {
                  datacenters = ["dc1"]
                  group "pair" {
                    network {
                      mode = "bridge"
                    }
                    task "server" {
                      driver = "exec"
                      template {
                        destination = "local/index.html"
                        data        = "served-by-exec"
                      }
                      config {
                        command = "/usr/bin/python3"
                        args    = ["-m", "http.server", "8080", "--bind", "127.0.0.1", "--directory", "/local"]
                      }
                    }
                    task "client" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "until curl -sS --max-time 2 http://127.0.0.1:8080/; do sleep 0.2; done; exec sleep 600"]
                      }
                    }
                  }
                }
                """)
            let running = try await cluster.waitForAllocations(job: "pair") { $0.contains(where: \.isRunning) }
            let id = running[0].id
            let log = try await waitForFile(
                "\(cluster.allocRoot)/\(id)/alloc/logs/client.stdout.0", containing: "served")
            #expect(log == "served-by-exec")
            // The exec task's listener is inside the namespace, not on the host.
            #expect(try await httpGetOnce("http://127.0.0.1:8080/").status != 0)
            _ = try await cluster.ctl(["job", "stop"], ["pair"])
            _ = try await cluster.waitForAllocations(job: "pair") { $0.allSatisfy(\.isFinished) }
            try await waitForTeardown(bridge, allocs: [id])
        }
    }

    @Test("a group's dns block becomes the resolv.conf of its exec tasks in bridge mode")
    func dnsBlock() async throws {
        try await withBridgedCluster { cluster, bridge in
            try await cluster.start()
            try await cluster.run(
                job: "dns",
                """
                job "dns" {
                  datacenters = ["dc1"]
                  type        = "batch"
                  group "dns" {
                    network {
                      mode = "bridge"
                      dns {
                        servers  = ["10.53.0.1", "10.53.0.2"]
                        searches = ["service.caravan"]
                        options  = ["ndots:2"]
                      }
                    }
                    task "show" {
                      driver = "exec"
                      config {
                        command = "/bin/cat"
                        args    = ["/etc/resolv.conf"]
                      }
                    }
                  }
                }
                """)
            let allocs = try await cluster.waitForAllocations(job: "dns") { $0.contains(where: \.isFinished) }
            let alloc = try #require(allocs.first)
            #expect(alloc.clientStatus == .complete, "\(ClientCluster.summary(alloc))")
            let shown = cluster.log(alloc: alloc.id, task: "show")
            #expect(
                shown.hasSuffix(
                    "nameserver 10.53.0.1\nnameserver 10.53.0.2\nsearch service.caravan\noptions ndots:2\n"),
                "\(shown)")
            try await waitForTeardown(bridge, allocs: [alloc.id])
        }
    }

    @Test("kill -9 of clientd: the network keeps serving, and a stop before or after the restart still removes it all")
    func teardownAfterClientCrash() async throws {
        try await withBridgedCluster { cluster, bridge in
            try await cluster.start()
            #expect(await bridge.allocationRuleCount() == 0)
            #expect(await bridge.vethCount() == 0)

            // Stopped after the restart.
            try await cluster.run(job: "api", Self.apiJob(staticPort: 9090))
            let first = try await cluster.waitForAllocations(job: "api") { $0.contains(where: \.isRunning) }[0].id
            #expect(try await httpGet("http://127.0.0.1:9090/") == "\(first) 9090")
            await cluster.killClient()
            #expect(try await httpGet("http://127.0.0.1:9090/") == "\(first) 9090")
            try await cluster.startClient()
            #expect(try await httpGet("http://127.0.0.1:9090/") == "\(first) 9090")
            #expect(await bridge.allocationRuleCount() == 4)
            #expect(await bridge.vethCount() == 1)
            _ = try await cluster.ctl(["job", "stop"], ["api"])
            _ = try await cluster.waitForAllocations(job: "api") { $0.allSatisfy(\.isFinished) }
            try await waitForTeardown(bridge, allocs: [first])

            // Stopped while clientd is down: the restarted clientd learns it and tears the network down.
            try await cluster.run(job: "api", Self.apiJob(staticPort: 9090))
            let second = try await cluster.waitForAllocations(job: "api") { allocs in
                allocs.contains { $0.id != first && $0.isRunning }
            }.first { $0.id != first }!.id
            #expect(try await httpGet("http://127.0.0.1:9090/") == "\(second) 9090")
            await cluster.killClient()
            let stop = try await cluster.ctl(["job", "stop"], ["-detach", "api"])
            #expect(stop.status == 0, "\(stop.stderr)")
            try await cluster.startClient()
            _ = try await cluster.waitForAllocations(job: "api") { $0.allSatisfy(\.isFinished) }
            try await waitForTeardown(bridge, allocs: [first, second])
            #expect(await bridge.bridgeRuleCount() == 5)
        }
    }

    /// Runs `body` against a serverd and a clientd (raw_exec enabled) on a bridge of the test's own; afterwards, even
    /// on failure, kills them and removes the bridge with whatever is left on it. A failure carries `job status`.
    func withBridgedCluster(_ body: (ClientCluster, TestBridge) async throws -> Void) async throws {
        let bridge = await TestBridge()
        let cluster = try ClientCluster(clientFlags: ["-enable-raw-exec"] + bridge.clientFlags)
        do {
            try await body(cluster, bridge)
        } catch {
            let status = try? await cluster.ctl(["job", "status"], [])
            cluster.stopAll()
            await bridge.remove()
            throw TestbedError("\(error)\n\(status?.stdout ?? "")")
        }
        cluster.stopAll()
        await bridge.remove()
    }

    /// Runs `body` with another machine to talk to, removed afterwards even on failure.
    func withRemoteHost(_ body: (RemoteHost) async throws -> Void) async throws {
        let remote = try await RemoteHost.create()
        do {
            try await body(remote)
        } catch {
            await remote.remove()
            throw error
        }
        await remote.remove()
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
