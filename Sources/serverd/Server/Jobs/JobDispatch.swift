import CaravanProto
import CaravanRPC
import Foundation
import State

/// `Jobs.Dispatch` (`ctl job dispatch`), as Nomad does it: checks the request against the parameterized parent,
/// then registers a child job (a copy of the parent with the payload and meta) with the evaluation that runs it.
/// Kept apart from `JobsService` so the checks read as one list and can be tested without a server.
enum JobDispatch {
    /// Largest payload a dispatch may carry (Nomad's limit); payloads travel inside the job through Raft.
    static let payloadLimit = 16 * 1024

    /// Meta key of a child holding the idempotency token it was dispatched with. There is no job field for it,
    /// and meta is copied with the job everywhere (versions, snapshots), so a retry finds the child on any server.
    static let tokenMetaKey = "caravan.dispatch_token"

    /// The refusal for a request the parent does not accept, or nil when the request is fine. Nothing is read
    /// or written here, so a refusal changes nothing.
    static func refusal(of request: Caravan_V1_DispatchJobRequest, parent: Caravan_V1_Job?) -> CaravanError? {
        guard let parent else { return .notFound("job \"\(request.jobID)\" is not registered") }
        guard parent.hasParameterized, !parent.dispatched else {
            return .failedPrecondition("job \"\(parent.id)\" is not parameterized, so it cannot be dispatched")
        }
        guard !parent.stop else {
            return .failedPrecondition("job \"\(parent.id)\" is stopped; run it again before dispatching it")
        }
        if let problem = payloadProblem(request.payload, parent.parameterized.payload, jobID: parent.id) {
            return .invalidArgument(problem)
        }
        if let problem = metaProblem(request.meta, parent.parameterized, jobID: parent.id) {
            return .invalidArgument(problem)
        }
        return nil
    }

    static func payloadProblem(
        _ payload: Data, _ requirement: Caravan_V1_ParameterizedConfig.PayloadRequirement, jobID: String
    ) -> String? {
        if payload.count > payloadLimit {
            return "the payload is \(payload.count) bytes; a dispatch payload may be at most \(payloadLimit) bytes "
                + "(16 KiB)"
        }
        switch requirement {
        case .required where payload.isEmpty: return "job \"\(jobID)\" requires a payload, and none was given"
        case .forbidden where !payload.isEmpty: return "job \"\(jobID)\" forbids a payload, and one was given"
        default: return nil
        }
    }

    static func metaProblem(
        _ meta: [String: String], _ config: Caravan_V1_ParameterizedConfig, jobID: String
    ) -> String? {
        let given = Set(meta.keys)
        let missing = Set(config.metaRequired).subtracting(given).sorted()
        let allowed = Set(config.metaRequired).union(config.metaOptional).subtracting([tokenMetaKey])
        let unexpected = given.subtracting(allowed).sorted()
        var problems: [String] = []
        if !missing.isEmpty {
            problems.append("missing required meta keys: \(missing.joined(separator: ", "))")
        }
        if !unexpected.isEmpty {
            let permitted = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
            problems.append(
                "unexpected meta keys: \(unexpected.joined(separator: ", ")) (permitted: \(permitted))")
        }
        guard !problems.isEmpty else { return nil }
        return "dispatch of job \"\(jobID)\": " + problems.joined(separator: "; ")
    }

    /// The child the parent's scheduler runs: `<parent>/dispatch-<unix seconds>-<8 hex>`, with the payload and
    /// the dispatch meta over the parent's, remembering its token (if any) for retries.
    static func child(
        of parent: Caravan_V1_Job, request: Caravan_V1_DispatchJobRequest, at time: Date,
        suffix: String = String(UUID().uuidString.lowercased().prefix(8))
    ) -> Caravan_V1_Job {
        var child = parent
        child.id = "\(parent.id)/dispatch-\(Int64(time.timeIntervalSince1970))-\(suffix)"
        child.name = child.id
        child.parentID = parent.id
        child.dispatched = true
        child.clearParameterized()
        child.payload = request.payload
        child.meta.removeValue(forKey: tokenMetaKey)
        child.meta.merge(request.meta) { $1 }
        if !request.idempotencyToken.isEmpty { child.meta[tokenMetaKey] = request.idempotencyToken }
        // What the state machine fills in for a new job starts afresh.
        child.version = 0
        child.stable = false
        child.status = .unspecified
        child.statusDescription = ""
        child.clearSubmitTime()
        child.createIndex = 0
        child.modifyIndex = 0
        child.jobModifyIndex = 0
        return child
    }

    /// A child of `parent` dispatched earlier with `token` that is still wanted, for an idempotent retry.
    static func existingChild(of parent: Caravan_V1_Job, token: String, in jobs: [Caravan_V1_Job]) -> Caravan_V1_Job? {
        guard !token.isEmpty else { return nil }
        return jobs.first { job in
            job.parentID == parent.id && job.namespace == parent.namespace && job.dispatched && !job.stop
                && job.meta[tokenMetaKey] == token
        }
    }
}

extension JobsService {
    /// Checks the request against the parent and registers the child with its evaluation in one Raft entry
    /// (proposals are forwarded to the leader like every write); a retry with the same token gets the same child.
    func dispatchChild(_ request: Caravan_V1_DispatchJobRequest) async throws -> Caravan_V1_DispatchJobResponse {
        let namespace = ClusterQueries.namespace(request.namespace)
        let parentID = request.jobID
        let token = request.idempotencyToken
        let (found, meta) = try await queries.read(Caravan_V1_QueryOptions(), tables: [.jobs, .evals]) { view in
            let parent = view.cluster.job(namespace: namespace, id: parentID)
            let existing = parent.flatMap { parent in
                JobDispatch.existingChild(of: parent, token: token, in: view.cluster.jobs.values.map(\.current))
            }
            let eval = existing.flatMap { child in
                view.cluster.evaluations(namespace: namespace, jobID: child.id)
                    .min { $0.createIndex < $1.createIndex }
            }
            return (parent: parent, existing: existing, evalID: eval?.id ?? "")
        }
        if let refusal = JobDispatch.refusal(of: request, parent: found.parent) { throw refusal }
        guard let parent = found.parent else { throw CaravanError.notFound("job \"\(parentID)\" is not registered") }
        if let existing = found.existing {
            var response = Caravan_V1_DispatchJobResponse()
            response.dispatchedJobID = existing.id
            response.evalID = found.evalID
            response.meta = ClusterQueries.writeMeta(meta.index)
            return response
        }
        let time = now()
        let child = try Self.validated(JobDispatch.child(of: parent, request: request, at: time))
        let eval = EvalFactory.evaluation(for: child, trigger: .jobRegister, at: time)
        var command = StateCommands.envelope(at: time)
        command.registerJob = Caravan_V1_RegisterJobCommand.with {
            $0.job = child
            $0.eval = eval
            // A new id: never overwrite a job that happens to have it already.
            $0.enforceIndex = true
            $0.jobModifyIndex = 0
        }
        let applied = try await queries.propose(command)
        var response = Caravan_V1_DispatchJobResponse()
        response.dispatchedJobID = child.id
        response.evalID = eval.id
        response.meta = ClusterQueries.writeMeta(applied.index)
        return response
    }
}
