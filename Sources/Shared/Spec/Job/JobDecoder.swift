import CaravanProto
import HCL
import SwiftProtobuf

extension JobDecoder {
    static let jobKeys = [
        "name", "type", "region", "namespace", "node_pool", "datacenters", "priority", "all_at_once", "meta",
        "constraint", "affinity", "spread", "update", "reschedule", "migrate", "periodic", "parameterized", "group",
    ]

    /// Reads the file's single `job` block.
    mutating func decodeDocument(_ reader: BodyReader) -> Caravan_V1_Job? {
        checkKeys(reader, ["job"])
        let jobs = blocks(reader, "job")
        guard let first = jobs.first else {
            if !reader.keys.contains("job") {
                diagnostics.add(
                    "no \"job\" block found; a job file holds exactly one job \"name\" { ... } block",
                    at: SourceRange(filename: sources.filename))
            }
            return nil
        }
        for extra in jobs.dropFirst() {
            diagnostics.add(
                "only one \"job\" block is allowed in a job file; the first is at line "
                    + "\(first.range.start.line), column \(first.range.start.column)", at: extra.range)
        }
        return decodeJob(first)
    }

    mutating func decodeJob(_ block: BlockReader) -> Caravan_V1_Job {
        let path = JobSourceMap.job
        let reader = block.body
        record(reader, at: path, range: block.range)
        var job = Caravan_V1_Job()
        job.id = label(block, "name", path: path) ?? ""
        for task in blocks(reader, "task") {
            diagnostics.add(
                "a task must be inside a group: write group \"name\" { task \"name\" { ... } } "
                    + "(Nomad job files put every task in a group)", at: task.range)
        }
        checkKeys(reader, Self.jobKeys + ["task"])

        job.name = string(reader, "name") ?? job.id
        if let type = choice(reader, "type", [("service", .service), ("batch", .batch), ("system", .system)])
            as Caravan_V1_JobType?
        {
            job.type = type
        } else {
            job.type = .service
        }
        jobType = job.type
        if let region = string(reader, "region") { job.region = region }
        if let namespace = string(reader, "namespace") { job.namespace = namespace }
        if let pool = string(reader, "node_pool") { job.nodePool = pool }
        if let datacenters = strings(reader, "datacenters") { job.datacenters = datacenters }
        if let priority = int32(reader, "priority") { job.priority = priority }
        if let atOnce = bool(reader, "all_at_once") { job.allAtOnce = atOnce }
        if let meta = stringMap(reader, "meta") { job.meta = meta }
        job.constraints = decodeConstraints(reader, owner: path)
        job.affinities = decodeAffinities(reader, owner: path)
        job.spreads = decodeSpreads(reader, owner: path)

        let update = decodeUpdate(reader, owner: path, onto: nil)
        if let update { job.update = update }
        let defaultReschedule = JobDefaults.reschedule(for: jobType)
        let reschedule = decodeReschedule(reader, owner: path, onto: defaultReschedule) ?? defaultReschedule
        let migrate = decodeMigrate(reader, owner: path, onto: nil)
        if let periodic = decodePeriodic(reader, owner: path) { job.periodic = periodic }
        if let parameterized = decodeParameterized(reader, owner: path) { job.parameterized = parameterized }

        let inherited = GroupInheritance(update: update, reschedule: reschedule, migrate: migrate)
        for (index, group) in blocks(reader, "group").enumerated() {
            job.taskGroups.append(
                decodeGroup(group, path: JobSourceMap.child(path, "group", index), inherited: inherited))
        }
        return job
    }
}

/// Job-level policies a group starts from before its own blocks are applied, as Nomad merges them.
struct GroupInheritance {
    var update: Caravan_V1_UpdateStrategy?
    var reschedule: Caravan_V1_ReschedulePolicy?
    var migrate: Caravan_V1_MigrateStrategy?
}
