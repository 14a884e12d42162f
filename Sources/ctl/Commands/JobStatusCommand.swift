import ArgumentParser
import CaravanProto
import Foundation
import GRPCCore

/// `ctl job status`: the jobs, or one job with its allocation counts, placement failures and allocations.
struct JobStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List jobs, or show one job's status and allocations.",
        discussion: """
            Without JOB, lists every job. With JOB (an ID or a unique prefix of one), shows the job, its \
            allocation counts per task group, why allocations wait for placement if they do, its latest \
            deployment (when it has an update stanza) and its allocations; for a periodic or parameterized job, \
            its children's counts by status and the children themselves.
            Exit status: 0 on success, 1 when the call fails (no such job, say), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .hashicorp("json"), help: "Print the API's JSON instead of tables.") var json = false
    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false
    @Argument(help: "The job's ID (or a unique prefix of it).") var job: String?

    func run() async throws {
        try await runVerb {
            print(try await execute())
            return 0
        }
    }

    func execute() async throws -> String {
        let namespace = scope.resolved
        let dialer = try connection.dialer()
        let target = try connection.target()
        guard let job else {
            var request = Caravan_V1_ListJobsRequest()
            request.query.namespace = namespace
            let response = try await dialer.withClient(target) { client in
                try await Caravan_V1_Jobs.Client(wrapping: client).list(request)
            }
            return json ? try VarFormatter.jsonArray(response.jobs) : JobStatusFormatter.list(response.jobs)
        }
        let detail = try await dialer.withClient(target) { client in
            try await Self.fetch(job: job, namespace: namespace, jobs: Caravan_V1_Jobs.Client(wrapping: client))
        }
        if json {
            return """
                {"job":\(try detail.job.jsonString()),"summary":\(try detail.summary.jsonString()),\
                "evaluations":\(try VarFormatter.jsonArray(detail.evaluations)),\
                "allocations":\(try VarFormatter.jsonArray(detail.allocations))}
                """
        }
        return JobStatusFormatter.detail(detail, now: Date(), verbose: verbose)
    }

    /// The job (resolving a prefix), then its summary, evaluations and allocations by the job's full ID.
    static func fetch(
        job: String, namespace: String, jobs: Caravan_V1_Jobs.Client<some GRPCCore.ClientTransport>
    ) async throws -> JobStatusFormatter.Detail {
        var query = Caravan_V1_QueryOptions()
        query.namespace = namespace
        let found = try await jobs.get(
            .with {
                $0.jobID = job; $0.query = query
            }
        ).job
        let summary = try await jobs.summary(
            .with {
                $0.jobID = found.id; $0.query = query
            }
        ).summary
        let evaluations = try await jobs.evaluations(
            .with {
                $0.jobID = found.id; $0.query = query
            }
        ).evaluations
        let allocations = try await jobs.allocations(
            .with {
                $0.jobID = found.id; $0.query = query
            }
        ).allocations
        let deployments = try await jobs.deployments(
            .with {
                $0.jobID = found.id; $0.query = query
            }
        ).deployments
        var children: [Caravan_V1_JobListStub] = []
        if found.hasPeriodic || found.hasParameterized {
            var childQuery = query
            childQuery.prefix = found.id + "/"
            children = try await jobs.list(.with { $0.query = childQuery }).jobs.filter { $0.parentID == found.id }
        }
        return .init(
            job: found, summary: summary, evaluations: evaluations, allocations: allocations,
            latestDeployment: deployments.first, children: children)
    }
}
