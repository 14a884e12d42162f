import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import HCL
import Scheduler
import Spec
import State

/// Serves `caravan.v1.Jobs` (`ctl job ...`): validates jobs, registers and stops them with the evaluation
/// that schedules them (one Raft entry each), dry-runs plans, and reports status from the tables.
public struct JobsService: Caravan_V1_Jobs.SimpleServiceProtocol {
    let queries: ClusterQueries
    let now: @Sendable () -> Date

    public init(queries: ClusterQueries, now: @escaping @Sendable () -> Date = { Date() }) {
        self.queries = queries
        self.now = now
    }

    /// The job as the server stores it, or INVALID_ARGUMENT listing every problem.
    static func validated(_ job: Caravan_V1_Job) throws -> Caravan_V1_Job {
        do {
            var job = try JobSpec.validated(job, origin: "job \"\(job.id)\"")
            job.namespace = ClusterQueries.namespace(job.namespace)
            return job
        } catch {
            throw CaravanError.invalidArgument("invalid job:\n\(error.description)")
        }
    }

    public func register(request: Caravan_V1_RegisterJobRequest, context: ServerContext) async throws
        -> Caravan_V1_RegisterJobResponse
    {
        let job = try Self.validated(request.job)
        let time = now()
        var command = StateCommands.envelope(at: time)
        var register = Caravan_V1_RegisterJobCommand()
        register.job = job
        register.enforceIndex = request.enforceIndex
        register.jobModifyIndex = request.jobModifyIndex
        // Periodic and parameterized jobs are templates: their children get evaluations, they do not.
        let eval = EvalFactory.evaluation(for: job, trigger: .jobRegister, at: time)
        if !job.hasPeriodic && !job.hasParameterized { register.eval = eval }
        command.registerJob = register
        let applied = try await queries.propose(command)
        var response = Caravan_V1_RegisterJobResponse()
        if register.hasEval { response.evalID = eval.id }
        if case .job(let stored)? = applied.result.result { response.jobModifyIndex = stored.jobModifyIndex }
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    public func plan(request: Caravan_V1_PlanJobRequest, context: ServerContext) async throws
        -> Caravan_V1_PlanJobResponse
    {
        let job = try Self.validated(request.job)
        let time = now()
        var (response, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.jobs]) { view in
            JobPlanDryRun.plan(job, on: view, at: time)
        }
        if case .success(let schedule)? = PeriodicSchedule.of(job), let next = schedule.next(after: time) {
            response.nextPeriodicLaunch = .init(date: next)
        }
        return response
    }

    public func deregister(request: Caravan_V1_DeregisterJobRequest, context: ServerContext) async throws
        -> Caravan_V1_DeregisterJobResponse
    {
        let namespace = ClusterQueries.namespace(request.namespace)
        let jobID = request.jobID
        let (job, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.jobs]) { view in
            view.cluster.job(namespace: namespace, id: jobID)
        }
        guard let job else { throw CaravanError.notFound("job \"\(jobID)\" is not registered") }
        let time = now()
        let eval = EvalFactory.evaluation(for: job, trigger: .jobDeregister, at: time)
        var command = StateCommands.envelope(at: time)
        command.deregisterJob = Caravan_V1_DeregisterJobCommand.with {
            $0.jobID = jobID
            $0.namespace = namespace
            $0.purge = request.purge
            $0.eval = eval
        }
        let applied = try await queries.propose(command)
        var response = Caravan_V1_DeregisterJobResponse()
        response.evalID = eval.id
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    public func get(request: Caravan_V1_GetJobRequest, context: ServerContext) async throws
        -> Caravan_V1_GetJobResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (job, meta) = try await queries.read(request.query, tables: [.jobs, .allocs, .evals]) { view in
            view.cluster.job(namespace: namespace, id: jobID).map { JobStatusReport.withStatus($0, in: view.cluster) }
        }
        guard let job else { throw CaravanError.notFound("job \"\(jobID)\" is not registered") }
        var response = Caravan_V1_GetJobResponse()
        response.job = job
        response.meta = meta
        return response
    }

    public func list(request: Caravan_V1_ListJobsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListJobsResponse
    {
        let prefix = request.query.prefix
        let (stubs, meta) = try await queries.read(request.query, tables: [.jobs, .allocs, .evals]) { view in
            view.cluster.jobs.values.map(\.current)
                .filter { $0.id.hasPrefix(prefix) }
                .sorted { ($0.namespace, $0.id) < ($1.namespace, $1.id) }
                .map { JobStatusReport.stub(of: $0, in: view.cluster) }
        }
        var response = Caravan_V1_ListJobsResponse()
        response.jobs = stubs
        response.meta = meta
        return response
    }

    public func versions(request: Caravan_V1_ListJobVersionsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListJobVersionsResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (versions, meta) = try await queries.read(request.query, tables: [.jobs]) { view in
            view.cluster.jobVersions(namespace: namespace, id: jobID)
        }
        guard !versions.isEmpty else { throw CaravanError.notFound("job \"\(jobID)\" is not registered") }
        var response = Caravan_V1_ListJobVersionsResponse()
        response.versions = versions.reversed()
        if request.diffs { response.diffs = JobRevert.diffs(newestFirst: response.versions) }
        response.meta = meta
        return response
    }

    public func validate(request: Caravan_V1_ValidateJobRequest, context: ServerContext) async throws
        -> Caravan_V1_ValidateJobResponse
    {
        var response = Caravan_V1_ValidateJobResponse()
        do {
            _ = try JobSpec.validated(request.job, origin: "job \"\(request.job.id)\"")
        } catch {
            response.validationErrors = error.errors.map { diagnostic in
                Caravan_V1_FieldViolation.with { $0.description_p = diagnostic.description }
            }
        }
        return response
    }

    public func summary(request: Caravan_V1_GetJobSummaryRequest, context: ServerContext) async throws
        -> Caravan_V1_GetJobSummaryResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (summary, meta) = try await queries.read(request.query, tables: [.jobs, .allocs, .evals]) { view in
            view.cluster.job(namespace: namespace, id: jobID).map { JobStatusReport.summary(of: $0, in: view.cluster) }
        }
        guard let summary else { throw CaravanError.notFound("job \"\(jobID)\" is not registered") }
        var response = Caravan_V1_GetJobSummaryResponse()
        response.summary = summary
        response.meta = meta
        return response
    }

    public func allocations(request: Caravan_V1_ListJobAllocationsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListJobAllocationsResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (allocs, meta) = try await queries.read(request.query, tables: [.allocs]) { view in
            view.cluster.allocations(namespace: namespace, jobID: jobID)
                .sorted { $0.createIndex > $1.createIndex }.map(\.listStub)
        }
        var response = Caravan_V1_ListJobAllocationsResponse()
        response.allocations = allocs
        response.meta = meta
        return response
    }

    public func evaluations(request: Caravan_V1_ListJobEvaluationsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListJobEvaluationsResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (evals, meta) = try await queries.read(request.query, tables: [.evals]) { view in
            view.cluster.evaluations(namespace: namespace, jobID: jobID).sorted { $0.createIndex > $1.createIndex }
        }
        var response = Caravan_V1_ListJobEvaluationsResponse()
        response.evaluations = evals
        response.meta = meta
        return response
    }

    /// `ctl job revert`: registers a stored version again as the newest one (see `JobRevert` for refusals).
    public func revert(request: Caravan_V1_RevertJobRequest, context: ServerContext) async throws
        -> Caravan_V1_RevertJobResponse
    {
        let namespace = ClusterQueries.namespace(request.namespace)
        let jobID = request.jobID
        let (versions, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.jobs]) { view in
            view.cluster.jobVersions(namespace: namespace, id: jobID)
        }
        let (command, evalID) = try JobRevert.command(for: request, versions: versions, at: now())
        let applied = try await queries.propose(command)
        var response = Caravan_V1_RevertJobResponse()
        response.evalID = evalID
        if case .job(let stored)? = applied.result.result { response.jobModifyIndex = stored.jobModifyIndex }
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    public func dispatch(request: Caravan_V1_DispatchJobRequest, context: ServerContext) async throws
        -> Caravan_V1_DispatchJobResponse
    { try await dispatchChild(request) }

    /// `ctl job periodic force`: launches a child now, outside the schedule (which it does not move).
    public func forcePeriodic(request: Caravan_V1_ForcePeriodicJobRequest, context: ServerContext) async throws
        -> Caravan_V1_ForcePeriodicJobResponse
    {
        let namespace = ClusterQueries.namespace(request.namespace)
        let jobID = request.jobID
        let (job, _) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.jobs]) { view in
            view.cluster.job(namespace: namespace, id: jobID)
        }
        guard let job else { throw CaravanError.notFound("job \"\(jobID)\" is not registered") }
        guard job.hasPeriodic else { throw CaravanError(.failedPrecondition, "job \"\(jobID)\" is not periodic") }
        guard !job.stop else { throw CaravanError(.failedPrecondition, "job \"\(jobID)\" is stopped") }
        let time = now()
        let (child, eval) = PeriodicChild.make(parent: job, tick: time, at: time)
        var command = StateCommands.envelope(at: time)
        command.periodicLaunch = Caravan_V1_PeriodicLaunchCommand.with {
            $0.namespace = namespace
            $0.parentID = jobID
            $0.launch = .init(date: time)
            $0.child = child
            $0.eval = eval
            $0.forced = true
        }
        let applied = try await queries.propose(command)
        var response = Caravan_V1_ForcePeriodicJobResponse()
        response.dispatchedJobID = child.id
        response.evalID = eval.id
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    /// The job's deployments, newest first (empty for a job that never had one).
    public func deployments(request: Caravan_V1_ListJobDeploymentsRequest, context: ServerContext) async throws
        -> Caravan_V1_ListJobDeploymentsResponse
    {
        let namespace = ClusterQueries.namespace(request.query.namespace)
        let jobID = request.jobID
        let (deployments, meta) = try await queries.read(request.query, tables: [.deployments]) { view in
            view.cluster.deployments(namespace: namespace, jobID: jobID)
        }
        var response = Caravan_V1_ListJobDeploymentsResponse()
        response.deployments = deployments
        response.meta = meta
        return response
    }

    public func scale(request: Caravan_V1_ScaleJobRequest, context: ServerContext) async throws
        -> Caravan_V1_ScaleJobResponse
    { throw Self.notYet("scale") }

    /// Marks a stored version stable (a revert target for auto-revert) or not.
    public func stable(request: Caravan_V1_SetJobStabilityRequest, context: ServerContext) async throws
        -> Caravan_V1_SetJobStabilityResponse
    {
        var command = StateCommands.envelope(at: now())
        command.setJobStability = Caravan_V1_SetJobStabilityCommand.with {
            $0.namespace = ClusterQueries.namespace(request.namespace)
            $0.jobID = request.jobID
            $0.version = request.version
            $0.stable = request.stable
        }
        let applied = try await queries.propose(command)
        var response = Caravan_V1_SetJobStabilityResponse()
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }

    static func notYet(_ verb: String) -> CaravanError {
        CaravanError(.unimplemented, "job \(verb) is not served yet by this server version")
    }
}
