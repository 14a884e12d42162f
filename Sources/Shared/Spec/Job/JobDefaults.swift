import CaravanProto
import SwiftProtobuf

/// The values Nomad fills into a job that does not set them, per job type; applied to HCL and JSON input alike.
///
/// Only unset parts are filled, so applying the defaults twice changes nothing. Integers without presence in the
/// protobuf (restart attempts, canary) are taken as written; the HCL decoder lays blocks over these defaults
/// itself so that an explicit `attempts = 0` survives.
enum JobDefaults {
    static func seconds(_ value: Int64) -> Google_Protobuf_Duration {
        Google_Protobuf_Duration(seconds: value, nanos: 0)
    }

    static func restart(for type: Caravan_V1_JobType) -> Caravan_V1_RestartPolicy {
        var policy = Caravan_V1_RestartPolicy()
        let batch = type == .batch
        policy.attempts = batch ? 3 : 2
        policy.interval = seconds(batch ? 24 * 3600 : 30 * 60)
        policy.delay = seconds(15)
        policy.mode = .fail
        return policy
    }

    /// Nil for system jobs, which are never rescheduled.
    static func reschedule(for type: Caravan_V1_JobType) -> Caravan_V1_ReschedulePolicy? {
        var policy = Caravan_V1_ReschedulePolicy()
        switch type {
        case .batch:
            policy.attempts = 1
            policy.interval = seconds(24 * 3600)
            policy.delay = seconds(5)
            policy.delayFunction = .constant
        case .system:
            return nil
        default:
            policy.delay = seconds(30)
            policy.delayFunction = .exponential
            policy.maxDelay = seconds(3600)
            policy.unlimited = true
        }
        return policy
    }

    static var update: Caravan_V1_UpdateStrategy {
        var update = Caravan_V1_UpdateStrategy()
        update.stagger = seconds(30)
        update.maxParallel = 1
        update.healthCheck = "checks"
        update.minHealthyTime = seconds(10)
        update.healthyDeadline = seconds(300)
        update.progressDeadline = seconds(600)
        return update
    }

    static var migrate: Caravan_V1_MigrateStrategy {
        var migrate = Caravan_V1_MigrateStrategy()
        migrate.maxParallel = 1
        migrate.healthCheck = "checks"
        migrate.minHealthyTime = seconds(10)
        migrate.healthyDeadline = seconds(300)
        return migrate
    }

    /// Operator spellings the scheduler treats as the same, reduced to one.
    static let operandAliases = ["==": "=", "is": "=", "not": "!=", "set_contains_all": "set_contains"]

    // MARK: Filling a job

    static func apply(to job: inout Caravan_V1_Job) {
        if job.id.isEmpty { job.id = job.name }
        if job.name.isEmpty { job.name = job.id }
        if job.type == .unspecified { job.type = .service }
        if job.region.isEmpty { job.region = "global" }
        if job.namespace.isEmpty { job.namespace = "default" }
        if job.nodePool.isEmpty { job.nodePool = "default" }
        if job.priority == 0 { job.priority = 50 }
        if job.datacenters.isEmpty { job.datacenters = ["*"] }
        if job.hasParameterized && job.parameterized.payload == .unspecified { job.parameterized.payload = .optional }
        if job.hasUpdate {
            fill(&job.update, from: update)
        } else if job.type == .service {
            job.update = update
        }
        normalize(&job.constraints)
        normalize(&job.affinities)
        for index in job.taskGroups.indices {
            apply(to: &job.taskGroups[index], of: job)
        }
    }

    static func apply(to group: inout Caravan_V1_TaskGroup, of job: Caravan_V1_Job) {
        if !group.hasCount { group.count = 1 }
        let restart = restart(for: job.type)
        if group.hasRestartPolicy { fill(&group.restartPolicy, from: restart) } else { group.restartPolicy = restart }
        if let reschedule = reschedule(for: job.type) {
            if group.hasReschedulePolicy {
                fill(&group.reschedulePolicy, from: reschedule)
            } else {
                group.reschedulePolicy = reschedule
            }
        }
        if group.hasUpdate {
            if job.hasUpdate { fill(&group.update, from: job.update) }
            fill(&group.update, from: update)
        } else if job.hasUpdate {
            group.update = job.update
        }
        if job.type == .service {
            if group.hasMigrate { fill(&group.migrate, from: migrate) } else { group.migrate = migrate }
        }
        if group.ephemeralDisk.sizeMb == 0 { group.ephemeralDisk.sizeMb = 300 }
        for index in group.networks.indices where group.networks[index].mode.isEmpty {
            group.networks[index].mode = "host"
        }
        normalize(&group.constraints)
        normalize(&group.affinities)
        for index in group.services.indices {
            apply(to: &group.services[index], defaultName: "\(job.name)-\(group.name)")
        }
        addSidecarPorts(to: &group)
        for index in group.tasks.indices {
            apply(to: &group.tasks[index], group: group, job: job)
        }
    }

    /// Gives every sidecar without a `port` the dynamic port Nomad adds for it, `connect-proxy-<service>`, mapped
    /// to the same port inside the namespace (`to = -1`), so other hosts reach the sidecar's public listener.
    static func addSidecarPorts(to group: inout Caravan_V1_TaskGroup) {
        guard !group.networks.isEmpty else { return }
        for index in group.services.indices
        where group.services[index].connect.hasSidecarService
            && group.services[index].connect.sidecarService.port.isEmpty
        {
            let label = "connect-proxy-\(group.services[index].name)"
            group.services[index].connect.sidecarService.port = label
            let known = group.networks.contains { network in
                (network.dynamicPorts + network.reservedPorts).contains { $0.label == label }
            }
            if !known {
                var port = Caravan_V1_Port()
                port.label = label
                port.to = -1
                group.networks[0].dynamicPorts.append(port)
            }
        }
    }

    static func apply(to task: inout Caravan_V1_Task, group: Caravan_V1_TaskGroup, job: Caravan_V1_Job) {
        if task.resources.cpuMhz == 0 && task.resources.cores == 0 { task.resources.cpuMhz = 100 }
        if task.resources.memoryMb == 0 { task.resources.memoryMb = 300 }
        if !task.hasKillTimeout { task.killTimeout = seconds(5) }
        if task.logs.maxFiles == 0 { task.logs.maxFiles = 10 }
        if task.logs.maxFileSizeMb == 0 { task.logs.maxFileSizeMb = 10 }
        if task.hasRestartPolicy { fill(&task.restartPolicy, from: group.restartPolicy) }
        for index in task.templates.indices {
            fill(&task.templates[index])
        }
        for index in task.artifacts.indices {
            if task.artifacts[index].getterMode.isEmpty { task.artifacts[index].getterMode = "any" }
            if task.artifacts[index].relativeDest.isEmpty { task.artifacts[index].relativeDest = "local/" }
        }
        normalize(&task.constraints)
        normalize(&task.affinities)
        for index in task.services.indices {
            apply(to: &task.services[index], defaultName: "\(job.name)-\(group.name)-\(task.name)")
        }
    }

    static func apply(to service: inout Caravan_V1_Service, defaultName: String) {
        if service.name.isEmpty { service.name = defaultName }
        if service.addressMode == .unspecified { service.addressMode = .auto }
        for index in service.checks.indices where service.checks[index].name.isEmpty {
            service.checks[index].name = "service: \(quoted(service.name)) check"
        }
    }

    // MARK: Filling parts

    static func fill(_ policy: inout Caravan_V1_RestartPolicy, from defaults: Caravan_V1_RestartPolicy) {
        if !policy.hasInterval && defaults.hasInterval { policy.interval = defaults.interval }
        if !policy.hasDelay && defaults.hasDelay { policy.delay = defaults.delay }
        if policy.mode == .unspecified { policy.mode = defaults.mode }
    }

    static func fill(_ policy: inout Caravan_V1_ReschedulePolicy, from defaults: Caravan_V1_ReschedulePolicy) {
        if !policy.hasInterval && defaults.hasInterval { policy.interval = defaults.interval }
        if !policy.hasDelay && defaults.hasDelay { policy.delay = defaults.delay }
        if !policy.hasMaxDelay && defaults.hasMaxDelay { policy.maxDelay = defaults.maxDelay }
        if policy.delayFunction == .unspecified { policy.delayFunction = defaults.delayFunction }
    }

    static func fill(_ update: inout Caravan_V1_UpdateStrategy, from defaults: Caravan_V1_UpdateStrategy) {
        if !update.hasStagger && defaults.hasStagger { update.stagger = defaults.stagger }
        if !update.hasMaxParallel && defaults.hasMaxParallel { update.maxParallel = defaults.maxParallel }
        if update.healthCheck.isEmpty { update.healthCheck = defaults.healthCheck }
        if !update.hasMinHealthyTime && defaults.hasMinHealthyTime { update.minHealthyTime = defaults.minHealthyTime }
        if !update.hasHealthyDeadline && defaults.hasHealthyDeadline {
            update.healthyDeadline = defaults.healthyDeadline
        }
        if !update.hasProgressDeadline && defaults.hasProgressDeadline {
            update.progressDeadline = defaults.progressDeadline
        }
    }

    static func fill(_ migrate: inout Caravan_V1_MigrateStrategy, from defaults: Caravan_V1_MigrateStrategy) {
        if !migrate.hasMaxParallel { migrate.maxParallel = defaults.maxParallel }
        if migrate.healthCheck.isEmpty { migrate.healthCheck = defaults.healthCheck }
        if !migrate.hasMinHealthyTime { migrate.minHealthyTime = defaults.minHealthyTime }
        if !migrate.hasHealthyDeadline { migrate.healthyDeadline = defaults.healthyDeadline }
    }

    static func fill(_ template: inout Caravan_V1_Template) {
        if template.changeMode == .unspecified { template.changeMode = .restart }
        if !template.hasSplay { template.splay = seconds(5) }
        if template.perms.isEmpty { template.perms = "0644" }
        if template.leftDelimiter.isEmpty { template.leftDelimiter = "{{" }
        if template.rightDelimiter.isEmpty { template.rightDelimiter = "}}" }
    }

    static func normalize(_ constraints: inout [Caravan_V1_Constraint]) {
        for index in constraints.indices {
            if constraints[index].operand.isEmpty { constraints[index].operand = "=" }
            if let canonical = operandAliases[constraints[index].operand] { constraints[index].operand = canonical }
        }
    }

    static func normalize(_ affinities: inout [Caravan_V1_Affinity]) {
        for index in affinities.indices {
            if affinities[index].operand.isEmpty { affinities[index].operand = "=" }
            if let canonical = operandAliases[affinities[index].operand] { affinities[index].operand = canonical }
        }
    }
}
