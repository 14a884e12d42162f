import CaravanProto
import Foundation
import Scheduler
import Testing

/// One constraint that n1 passes and n2 fails.
struct ConstraintCase: CustomStringConvertible, Sendable {
    var constraint: (String, String, String)
    var n1: [String: String]
    var n2: [String: String]
    var meta1: [String: String] = [:]
    var meta2: [String: String] = [:]

    var description: String { "\(constraint.0) \(constraint.1) \(constraint.2)" }
}

@Suite("Feasibility")
struct FeasibilityTests {
    static let cases: [ConstraintCase] = [
        ConstraintCase(constraint: ("${attr.kernel.name}", "=", "linux"), n1: [:], n2: ["kernel.name": "windows"]),
        ConstraintCase(constraint: ("${attr.kernel.name}", "==", "linux"), n1: [:], n2: ["kernel.name": "darwin"]),
        ConstraintCase(constraint: ("${attr.kernel.name}", "is", "linux"), n1: [:], n2: ["kernel.name": "darwin"]),
        ConstraintCase(constraint: ("${attr.kernel.name}", "!=", "windows"), n1: [:], n2: ["kernel.name": "windows"]),
        ConstraintCase(constraint: ("${attr.kernel.name}", "not", "windows"), n1: [:], n2: ["kernel.name": "windows"]),
        ConstraintCase(constraint: ("${attr.cpu.numcores}", "<", "8"), n1: [:], n2: ["cpu.numcores": "16"]),
        ConstraintCase(constraint: ("${attr.cpu.numcores}", "<=", "4"), n1: [:], n2: ["cpu.numcores": "10"]),
        ConstraintCase(constraint: ("${attr.cpu.numcores}", ">", "3"), n1: [:], n2: ["cpu.numcores": "3"]),
        ConstraintCase(constraint: ("${attr.cpu.numcores}", ">=", "4"), n1: [:], n2: ["cpu.numcores": "2"]),
        ConstraintCase(constraint: ("${attr.os.name}", ">", "b"), n1: [:], n2: ["os.name": "alpine"]),
        ConstraintCase(constraint: ("${attr.os.name}", "regexp", "^ubu.*u$"), n1: [:], n2: ["os.name": "debian"]),
        ConstraintCase(
            constraint: ("${attr.nomad.version}", "version", ">= 1.2.0, < 2.0"), n1: [:],
            n2: ["nomad.version": "2.1.0"]),
        ConstraintCase(
            constraint: ("${attr.nomad.version}", "semver", ">= 1.6.0"), n1: [:], n2: ["nomad.version": "1.5.9"]),
        ConstraintCase(
            constraint: ("${attr.nomad.version}", "version", "~> 1.6"), n1: [:], n2: ["nomad.version": "2.0.0"]),
        ConstraintCase(
            constraint: ("${attr.nomad.version}", "version", ">= 1.6.3"), n1: [:],
            n2: ["nomad.version": "1.6.3-beta1"]),
        ConstraintCase(
            constraint: ("${meta.tags}", "set_contains", "a,b"), n1: [:], n2: [:], meta1: ["tags": "a,b,c"],
            meta2: ["tags": "a,c"]),
        ConstraintCase(
            constraint: ("${meta.tags}", "set_contains_all", "a, c"), n1: [:], n2: [:], meta1: ["tags": "c,a"],
            meta2: ["tags": "a"]),
        ConstraintCase(
            constraint: ("${meta.tags}", "set_contains_any", "b,z"), n1: [:], n2: [:], meta1: ["tags": "a,b"],
            meta2: ["tags": "a,c"]),
        ConstraintCase(constraint: ("${meta.rack}", "is_set", ""), n1: [:], n2: [:], meta1: ["rack": "r1"]),
        ConstraintCase(constraint: ("${meta.rack}", "is_not_set", ""), n1: [:], n2: [:], meta2: ["rack": "r1"]),
        ConstraintCase(constraint: ("${meta.rack}", "=", "r1"), n1: [:], n2: [:], meta1: ["rack": "r1"]),
        ConstraintCase(constraint: ("${node.unique.name}", "=", "name-n1"), n1: [:], n2: [:]),
        ConstraintCase(constraint: ("${node.unique.id}", "!=", "n2"), n1: [:], n2: [:]),
    ]

    @Test(
        "a constraint keeps the allocation off the node that fails it and names the node in the metric",
        arguments: cases)
    func constraintOperand(_ testCase: ConstraintCase) throws {
        var state = TestState()
        state.add(Fixtures.node("n1", attributes: testCase.n1, meta: testCase.meta1))
        state.add(Fixtures.node("n2", attributes: testCase.n2, meta: testCase.meta2))
        var job = Fixtures.job()
        job.constraints = [
            Fixtures.constraint(testCase.constraint.0, testCase.constraint.1, testCase.constraint.2)
        ]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let placed = try #require(plan.placed.first)
        #expect(plan.placed.count == 1)
        #expect(placed.nodeID == "n1")
        let key = "\(testCase.constraint.0) \(testCase.constraint.1) \(testCase.constraint.2)"
            .trimmingCharacters(in: .whitespaces)
        #expect(placed.metrics.constraintFiltered[key] == 1)
        #expect(placed.metrics.nodesFiltered == 1)
    }

    @Test(
        "constraints no node satisfies fail the placement without crashing",
        arguments: [
            ("${attr.os.name}", "regexp", "(["), ("${attr.missing}", "=", "x"), ("${attr.missing}", "!=", "x"),
            ("${attr.nomad.version}", "version", "not-a-version"), ("${attr.os.name}", "unknown-op", "x"),
        ])
    func unsatisfiable(_ constraint: (String, String, String)) throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job()
        job.taskGroups[0].constraints = [Fixtures.constraint(constraint.0, constraint.1, constraint.2)]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.isEmpty)
        let metric = try #require(plan.evalUpdate.failedTgAllocs["web"])
        #expect(metric.constraintFiltered["\(constraint.0) \(constraint.1) \(constraint.2)"] == 2)
        #expect(plan.createdEvals.count == 1)
    }

    @Test("task-level constraints count too")
    func taskConstraint() throws {
        var state = TestState()
        state.add(Fixtures.node("n1"))
        state.add(Fixtures.node("n2", attributes: ["cpu.arch": "arm64"]))
        var job = Fixtures.job(count: 3)
        job.taskGroups[0].tasks[0].constraints = [Fixtures.constraint("${attr.cpu.arch}", "=", "amd64")]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.map(\.nodeID) == ["n1", "n1", "n1"])
    }

    @Test("a missing or unhealthy driver excludes the node with a missing-driver key")
    func driver() throws {
        var state = TestState()
        state.add(Fixtures.node("n1", drivers: ["exec", "docker"]))
        state.add(Fixtures.node("n2"))
        var unhealthy = Fixtures.node("n3", drivers: ["docker"])
        unhealthy.drivers["docker"]?.healthy = false
        state.add(unhealthy)
        let job = Fixtures.job(driver: "docker")
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let placed = try #require(plan.placed.first)
        #expect(placed.nodeID == "n1")
        #expect(placed.metrics.constraintFiltered["missing driver \"docker\""] == 2)
    }

    @Test("only nodes in the job's datacenters (with globs) and node pool are candidates")
    func datacenterAndPool() throws {
        var state = TestState()
        state.add(Fixtures.node("n1", datacenter: "east-1", pool: "gpu"))
        state.add(Fixtures.node("n2", datacenter: "west-1", pool: "gpu"))
        state.add(Fixtures.node("n3", datacenter: "east-2"))
        var job = Fixtures.job(count: 4, datacenters: ["east-*"])
        job.nodePool = "gpu"
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(Set(plan.placed.map(\.nodeID)) == ["n1"])
        #expect(plan.placed.count == 4)
        #expect(plan.placed.first?.metrics.nodesAvailable == ["east-1": 1])

        var defaultJob = Fixtures.job("other", count: 2, datacenters: ["*"])
        defaultJob.nodePool = ""
        state.upsert(defaultJob)
        let defaultPlan = Fixtures.schedule(state, job: defaultJob)
        #expect(Set(defaultPlan.placed.map(\.nodeID)) == ["n3"])
    }

    @Test(
        "ineligible, down, initializing and draining nodes receive nothing",
        arguments: ["ineligible", "down", "initializing", "draining"])
    func nodeReadiness(_ condition: String) throws {
        var state = TestState()
        state.add(Fixtures.node("n1"))
        var other = Fixtures.node("n2")
        switch condition {
        case "ineligible": other.schedulingEligibility = .ineligible
        case "down": other.status = .down
        case "initializing": other.status = .initializing
        default: other.drainStrategy = Caravan_V1_DrainStrategy()
        }
        state.add(other)
        let job = Fixtures.job(count: 4)
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(plan.placed.count == 4)
        #expect(plan.placed.allSatisfy { $0.nodeID == "n1" })
    }

    @Test("an unspecified eligibility counts as eligible")
    func unspecifiedEligibility() {
        var state = TestState()
        state.add(Fixtures.node("n1", eligibility: .unspecified))
        let job = Fixtures.job()
        state.upsert(job)
        #expect(Fixtures.schedule(state, job: job).placed.map(\.nodeID) == ["n1"])
    }

    @Test("distinct_hosts puts each allocation on its own node and fails the rest")
    func distinctHosts() throws {
        var state = Fixtures.cluster(2)
        var job = Fixtures.job(count: 3)
        job.constraints = [Fixtures.constraint("", "distinct_hosts", "")]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        #expect(Set(plan.placed.map(\.nodeID)) == ["n1", "n2"])
        #expect(plan.placed.count == 2)
        let metric = try #require(plan.evalUpdate.failedTgAllocs["web"])
        #expect(metric.constraintFiltered["distinct_hosts"] == 2)
        #expect(plan.evalUpdate.queuedAllocations["web"] == 1)
    }

    @Test("group-level distinct_hosts also respects allocations already running")
    func distinctHostsExisting() throws {
        var state = Fixtures.cluster(3)
        var job = Fixtures.job(count: 2)
        job.taskGroups[0].constraints = [Fixtures.constraint("", "distinct_hosts", "true")]
        state.upsert(job)
        state.add(Fixtures.allocation("a0", job: job, node: "n2", index: 0))
        let plan = Fixtures.schedule(state, job: job)
        let placed = try #require(plan.placed.first)
        #expect(plan.placed.count == 1)
        #expect(placed.nodeID != "n2")
        #expect(placed.name == "web.web[1]")
    }

    @Test("distinct_property allows r_target allocations per value")
    func distinctProperty() throws {
        var state = Fixtures.cluster(4) { index, node in node.meta["rack"] = index <= 2 ? "r1" : "r2" }
        var job = Fixtures.job(count: 3)
        job.constraints = [Fixtures.constraint("${meta.rack}", "distinct_property", "")]
        state.upsert(job)
        let plan = Fixtures.schedule(state, job: job)
        let racks = plan.placed.map { $0.nodeID == "n1" || $0.nodeID == "n2" ? "r1" : "r2" }
        #expect(racks.sorted() == ["r1", "r2"])
        let metric = try #require(plan.evalUpdate.failedTgAllocs["web"])
        #expect(metric.constraintFiltered["distinct_property ${meta.rack}"] == 4)

        job.constraints = [Fixtures.constraint("${meta.rack}", "distinct_property", "2")]
        job.taskGroups[0].count = 4
        state.upsert(job)
        let two = Fixtures.schedule(state, job: job)
        #expect(two.placed.count == 4)
        #expect(two.evalUpdate.failedTgAllocs.isEmpty)
    }
}
