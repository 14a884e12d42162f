import ArgumentParser
import CaravanDaemon
import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import SwiftProtobuf

/// Scheduler throughput of a real three-server cluster: simulated nodes register, jobs are submitted, and the
/// leader's broker, workers, plan applier and Raft place every allocation (as Nomad's C1M, on one machine).
struct SchedulerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Placements per second of a 3-server cluster on simulated nodes (loopback).",
        discussion: """
            Starts three serverd processes, registers -nodes simulated nodes (4000 MHz, 8192 MB, raw_exec) with \
            a client certificate, then submits jobs of -count allocations each (sized so that the nodes end about \
            two-thirds full; 100 MHz and 64 MB for 100,000 on 5,000 nodes) until -allocs \
            allocations are asked for, -submitters at a time, to every server in turn (followers forward). It \
            reports the time from the first submission until the servers report every allocation placed, and \
            placements per second. Nodes do not heartbeat: the servers run with a long heartbeat TTL.
            """
    )

    @Option(name: .hashicorp("nodes"), help: "Simulated nodes to register.") var nodes = 5000
    @Option(name: .hashicorp("allocs"), help: "Allocations in total (1000000 for the C1M run).") var allocs = 100_000
    @Option(name: .hashicorp("count"), help: "Allocations per job.") var count = 100
    @Option(name: .hashicorp("submitters"), help: "Concurrent job submissions.") var submitters = 16
    @Option(name: .hashicorp("bin"), help: "Directory holding serverd (default: this executable's directory).")
    var bin: String?
    @Option(
        name: .hashicorp("serverd-arg"), parsing: .unconditionalSingleValue,
        help: "A flag for every serverd, repeatable.")
    var serverdArguments: [String] = []
    @Option(name: .hashicorp("timeout"), help: "Give up after this many seconds of waiting.") var timeout = 600.0
    @Flag(name: .hashicorp("keep-data"), help: "Keep the temporary directory with data and logs.") var keepData = false
    @Flag(name: .hashicorp("json")) var json = false

    func validate() throws {
        guard nodes >= 1, allocs >= 1, count >= 1, submitters >= 1, timeout > 0 else {
            throw ValidationError("-nodes, -allocs, -count, -submitters and -timeout must be positive")
        }
        guard allocs / nodes <= 1000 else {
            throw ValidationError("\(allocs) allocations on \(nodes) nodes is over 1000 per node; add -nodes")
        }
    }

    func run() async throws {
        let certificates = try BenchCertificates()
        defer { certificates.remove() }
        let daemons = try LocalDaemons(prefix: "caravan-bench-scheduler", keep: keepData)
        daemons.removeOnStop(certificates.directory)
        let results: [BenchResult]
        do {
            let cluster = try await CaravanCluster.start(
                binDirectory: bin ?? RaftBench.executableDirectory,
                extraArguments: ["-min-heartbeat-ttl", "2h"] + serverdArguments, certificates: certificates,
                daemons: daemons)
            results = try await measure(cluster, certificates)
        } catch {
            for line in daemons.stop() { RaftBenchPlan.note(line) }
            throw error
        }
        var problems = LogDigest()
        for line in daemons.logLines(containing: ["[ERROR]", "[CRITICAL]"]) { problems.add(line) }
        let stopNotes = daemons.stop()
        BenchResult.print(results, json: json)
        for line in problems.lines() { RaftBenchPlan.note("  " + line) }
        for line in stopNotes { RaftBenchPlan.note(line) }
    }

    func measure(_ cluster: CaravanCluster, _ certificates: BenchCertificates) async throws -> [BenchResult] {
        let servers = cluster.clientAddresses
        let clientDialer = RPCDialer(tls: try certificates.material("client"), callTimeout: .seconds(60))
        let cliDialer = RPCDialer(tls: try certificates.material("cli"), callTimeout: .seconds(60))
        let registerStart = ContinuousClock.now
        try await concurrentForEach(0..<nodes, concurrency: 64) { number in
            try await clientDialer.withClient(servers[number % servers.count]) { client in
                _ = try await Caravan_V1_Nodes.Client(wrapping: client).register(.with { $0.node = Self.node(number) })
            }
        }
        let registerTime = ContinuousClock.now - registerStart
        RaftBenchPlan.note("registered \(nodes) nodes in \(String(format: "%.1f", registerTime.seconds)) s")

        let jobs = (allocs + count - 1) / count
        let total = allocs
        let submitStart = ContinuousClock.now
        let perJob = count
        // Room for half again as many allocations as asked, so the last placements still find space.
        let perNode = max(1, Int((Double(allocs) / Double(nodes) * 1.5).rounded(.up)))
        let cpu = Int64(max(1, 4000 / perNode))
        let memory = Int64(max(1, 8192 / perNode))
        try await concurrentForEach(0..<jobs, concurrency: submitters) { number in
            let jobCount = min(perJob, total - number * perJob)
            try await cliDialer.withClient(servers[number % servers.count]) { client in
                _ = try await Caravan_V1_Jobs.Client(wrapping: client).register(
                    .with { $0.job = Self.job(number, count: jobCount, cpu: cpu, memory: memory) })
            }
        }
        let submitTime = ContinuousClock.now - submitStart
        RaftBenchPlan.note("submitted \(jobs) jobs in \(String(format: "%.1f", submitTime.seconds)) s")
        let (placed, finished) = try await waitUntilPlaced(
            total, jobs: jobs, dialer: cliDialer, server: servers[0], since: submitStart)
        let allPlaced = finished - submitStart
        guard placed >= total else {
            throw BenchError("only \(placed) of \(total) allocations were placed within \(timeout) s")
        }
        return [
            BenchResult(
                name: "nodes registered per second", value: Double(nodes) / registerTime.seconds, unit: "nodes/s"),
            BenchResult(name: "jobs submitted per second", value: Double(jobs) / submitTime.seconds, unit: "jobs/s"),
            BenchResult(name: "time to all placed", value: allPlaced.seconds, unit: "s"),
            BenchResult(name: "placements per second", value: Double(total) / allPlaced.seconds, unit: "allocs/s"),
        ]
    }

    /// Waits until no evaluation is pending and every job's first evaluation finished (listing evaluations
    /// is cheap for the servers; summarizing every job after every change is not), then counts the placed
    /// allocations once from the job summaries.
    func waitUntilPlaced(
        _ total: Int, jobs: Int, dialer: RPCDialer, server: HostPort, since start: ContinuousClock.Instant
    )
        async throws -> (placed: Int, finished: ContinuousClock.Instant)
    {
        while ContinuousClock.now - start < .seconds(timeout) {
            try await Task.sleep(for: .milliseconds(100))
            let evals = try await dialer.withClient(server) { client in
                try await Caravan_V1_Evaluations.Client(wrapping: client).list(.with { $0.query.allowStale = true })
            }.evaluations
            let finished = ContinuousClock.now
            let done = evals.filter { $0.status == .complete || $0.status == .blocked || $0.status == .failed }
            guard evals.count >= jobs, !evals.contains(where: { $0.status == .pending }), done.count >= jobs else {
                continue
            }
            let summaries = try await dialer.withClient(server) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).list(.with { $0.query.allowStale = true })
            }
            let placed = summaries.jobs.reduce(0) { sum, job in
                sum + job.summary.summary.values.reduce(0) { $0 + Int($1.starting + $1.running) }
            }
            return (placed, finished)
        }
        return (0, ContinuousClock.now)
    }

    static func node(_ number: Int) -> Caravan_V1_Node {
        var node = Caravan_V1_Node()
        node.id = String(format: "%08x-0000-4000-8000-%012x", number, number)
        node.secretID = "bench-secret-\(number)"
        node.name = "sim-\(number)"
        node.datacenter = "dc1"
        node.resources.cpuMhz = 4000
        node.resources.memoryMb = 8192
        node.attributes = ["kernel.name": "linux"]
        node.drivers = [
            "raw_exec": .with {
                $0.detected = true; $0.healthy = true
            }
        ]
        node.networkModes = ["host"]
        return node
    }

    static func job(_ number: Int, count: Int, cpu: Int64, memory: Int64) -> Caravan_V1_Job {
        var job = Caravan_V1_Job()
        job.id = "bench-\(number)"
        job.type = .service
        job.datacenters = ["dc1"]
        var group = Caravan_V1_TaskGroup()
        group.name = "g"
        group.count = Int32(count)
        var task = Caravan_V1_Task()
        task.name = "t"
        task.driver = "raw_exec"
        task.config = .init(fields: ["command": .init(stringValue: "/bin/true")])
        task.resources.cpuMhz = cpu
        task.resources.memoryMb = memory
        group.tasks = [task]
        job.taskGroups = [group]
        return job
    }
}
