import ArgumentParser
import ClientNetwork
import Foundation

/// What one allocation's bridge network costs clientd: the wall time of `NetworkManager.setUp` and `tearDown` (a
/// namespace, a veth pair, an address and DNAT rules, all through `ip` and `iptables`), one by one or several at
/// once, and whether tearing down really leaves nothing behind.
struct NetworkBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Bridge network setup and teardown per allocation (needs root).",
        discussion: """
            Creates its own bridge (\(NetworkBenchHost.bridge)) and subnet (10.203.0.0, sized to fit -allocs), \
            sets up -allocs bridge networks with -ports forwarded ports each, then tears them all down, timing \
            every call. Afterwards it checks that no namespace, veth or tagged rule of its allocations is left, \
            and removes the bridge and its rules.
            """
    )

    @Option(name: .hashicorp("allocs"), help: "Allocations to network.") var allocs = 100
    @Option(name: .hashicorp("ports"), help: "Forwarded ports per allocation.") var ports = 1
    @Option(name: .hashicorp("concurrency"), help: "Setups (and teardowns) in flight at once.") var concurrency = 1
    @Flag(name: .hashicorp("json")) var json = false

    func validate() throws {
        guard allocs >= 1, ports >= 0, concurrency >= 1 else {
            throw ValidationError("-allocs and -concurrency must be positive, -ports at least 0")
        }
        guard allocs <= 16000 else { throw ValidationError("-allocs: at most 16000 (one /18 subnet)") }
        guard allocs * ports <= 20000 else { throw ValidationError("-allocs × -ports: at most 20000 host ports") }
    }

    func run() async throws {
        guard geteuid() == 0 else {
            throw BenchError("bench network needs root: it creates network namespaces, a bridge and iptables rules")
        }
        let host = try await NetworkBenchHost.prepare(allocs: allocs, portsPerAlloc: ports)
        let manager = try NetworkManager(
            configuration: NetworkManager.Configuration(bridge: NetworkBenchHost.bridge, subnet: host.subnet),
            store: MemoryNetworkRecords())
        let ids = (0..<allocs).map { _ in UUID().uuidString.lowercased() }
        let portsPerAlloc = ports
        let requests = ids.enumerated().map { index, id in
            NetworkRequest(
                allocID: id, mode: .bridge,
                ports: (0..<portsPerAlloc).map { port in
                    PortMapping(
                        label: "p\(port)", hostPort: Int32(host.firstHostPort + index * portsPerAlloc + port),
                        containerPort: Int32(8000 + port))
                })
        }
        var results: [BenchResult] = []
        var failure: (any Error)?
        do {
            let setUp = try await Self.timed(requests.count, concurrency: concurrency) { index in
                _ = try await manager.setUp(requests[index])
            }
            let tearDown = try await Self.timed(ids.count, concurrency: concurrency) { index in
                try await manager.tearDown(allocID: ids[index])
            }
            results = setUp.results("setup") + tearDown.results("teardown")
        } catch {
            failure = error
        }
        let left = try await host.leftovers(of: ids)
        await host.removeEverything(ids: ids)
        if let failure { throw failure }
        results += [
            BenchResult(name: "left: namespaces", value: Double(left.namespaces), unit: ""),
            BenchResult(name: "left: veths on the bridge", value: Double(left.veths), unit: ""),
            BenchResult(name: "left: tagged rules", value: Double(left.rules), unit: ""),
        ]
        BenchResult.print(results, json: json)
        if !json { print(left.isEmpty ? "check: nothing left behind" : "check: FAILED, \(left) left behind") }
        if !left.isEmpty { throw BenchError("teardown left \(left)") }
    }

    /// Runs `operation` for indices 0..<count, `concurrency` at a time, timing each call and the whole phase.
    static func timed(
        _ count: Int, concurrency: Int, _ operation: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> PhaseTimes {
        let clock = ContinuousClock()
        let start = clock.now
        let durations = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for worker in 0..<min(concurrency, count) {
                group.addTask {
                    var durations: [Duration] = []
                    for index in stride(from: worker, to: count, by: concurrency) {
                        let began = clock.now
                        try await operation(index)
                        durations.append(clock.now - began)
                    }
                    return durations
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        return PhaseTimes(total: clock.now - start, calls: durations.sorted())
    }
}

/// The timings of one phase (setup or teardown).
struct PhaseTimes {
    var total: Duration
    /// Each call's wall time, ascending.
    var calls: [Duration]

    func results(_ phase: String) -> [BenchResult] {
        [
            BenchResult(name: "\(phase) count", value: Double(calls.count), unit: "allocs"),
            BenchResult(name: "\(phase) total", value: total.seconds, unit: "s"),
            BenchResult(name: "\(phase) rate", value: Double(calls.count) / total.seconds, unit: "allocs/s"),
            BenchResult(name: "\(phase) p50", value: calls.percentile(0.50).microseconds / 1000, unit: "ms"),
            BenchResult(name: "\(phase) p99", value: calls.percentile(0.99).microseconds / 1000, unit: "ms"),
            BenchResult(name: "\(phase) max", value: (calls.last ?? .zero).microseconds / 1000, unit: "ms"),
        ]
    }
}
