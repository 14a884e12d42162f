import CaravanProto
import HCL
import SwiftProtobuf

// Each policy decoder lays the keys written in its block over `base` (defaults, or the job-level block), so an
// unset key keeps the inherited value, and returns nil when the block is absent.
extension JobDecoder {
    mutating func decodeRestart(
        _ reader: BodyReader, owner: String, onto base: Caravan_V1_RestartPolicy
    ) -> Caravan_V1_RestartPolicy? {
        guard let block = block(reader, "restart") else { return nil }
        let body = block.body
        record(body, at: owner + "/restart", range: block.range)
        checkKeys(body, ["attempts", "interval", "delay", "mode"])
        var policy = base
        if let attempts = int32(body, "attempts") { policy.attempts = attempts }
        if let interval = duration(body, "interval") { policy.interval = interval }
        if let delay = duration(body, "delay") { policy.delay = delay }
        if let mode = choice(body, "mode", [("fail", Caravan_V1_RestartPolicy.Mode.fail), ("delay", .delay)]) {
            policy.mode = mode
        }
        return policy
    }

    mutating func decodeReschedule(
        _ reader: BodyReader, owner: String, onto base: Caravan_V1_ReschedulePolicy?
    ) -> Caravan_V1_ReschedulePolicy? {
        guard let block = block(reader, "reschedule") else { return nil }
        let body = block.body
        record(body, at: owner + "/reschedule", range: block.range)
        checkKeys(body, ["attempts", "interval", "delay", "delay_function", "max_delay", "unlimited"])
        var policy = base ?? Caravan_V1_ReschedulePolicy()
        if let attempts = int32(body, "attempts") { policy.attempts = attempts }
        if let interval = duration(body, "interval") { policy.interval = interval }
        if let delay = duration(body, "delay") { policy.delay = delay }
        let functions: [(String, Caravan_V1_ReschedulePolicy.DelayFunction)] = [
            ("constant", .constant), ("exponential", .exponential), ("fibonacci", .fibonacci),
        ]
        if let function = choice(body, "delay_function", functions) { policy.delayFunction = function }
        if let maxDelay = duration(body, "max_delay") { policy.maxDelay = maxDelay }
        if let unlimited = bool(body, "unlimited") { policy.unlimited = unlimited }
        return policy
    }

    mutating func decodeUpdate(
        _ reader: BodyReader, owner: String, onto base: Caravan_V1_UpdateStrategy?
    ) -> Caravan_V1_UpdateStrategy? {
        guard let block = block(reader, "update") else { return nil }
        let body = block.body
        record(body, at: owner + "/update", range: block.range)
        checkKeys(
            body,
            [
                "max_parallel", "health_check", "min_healthy_time", "healthy_deadline", "progress_deadline",
                "auto_revert", "auto_promote", "canary", "stagger",
            ])
        var update = base ?? Caravan_V1_UpdateStrategy()
        if let maxParallel = int32(body, "max_parallel") { update.maxParallel = maxParallel }
        if let check = string(body, "health_check") { update.healthCheck = check }
        if let time = duration(body, "min_healthy_time") { update.minHealthyTime = time }
        if let deadline = duration(body, "healthy_deadline") { update.healthyDeadline = deadline }
        if let deadline = duration(body, "progress_deadline") { update.progressDeadline = deadline }
        if let revert = bool(body, "auto_revert") { update.autoRevert = revert }
        if let promote = bool(body, "auto_promote") { update.autoPromote = promote }
        if let canary = int32(body, "canary") { update.canary = canary }
        if let stagger = duration(body, "stagger") { update.stagger = stagger }
        return update
    }

    mutating func decodeMigrate(
        _ reader: BodyReader, owner: String, onto base: Caravan_V1_MigrateStrategy?
    ) -> Caravan_V1_MigrateStrategy? {
        guard let block = block(reader, "migrate") else { return nil }
        let body = block.body
        record(body, at: owner + "/migrate", range: block.range)
        checkKeys(body, ["max_parallel", "health_check", "min_healthy_time", "healthy_deadline"])
        var migrate = base ?? Caravan_V1_MigrateStrategy()
        if let maxParallel = int32(body, "max_parallel") { migrate.maxParallel = maxParallel }
        if let check = string(body, "health_check") { migrate.healthCheck = check }
        if let time = duration(body, "min_healthy_time") { migrate.minHealthyTime = time }
        if let deadline = duration(body, "healthy_deadline") { migrate.healthyDeadline = deadline }
        return migrate
    }

    mutating func decodeEphemeralDisk(_ reader: BodyReader, owner: String) -> Caravan_V1_EphemeralDisk? {
        guard let block = block(reader, "ephemeral_disk") else { return nil }
        let body = block.body
        record(body, at: owner + "/ephemeral_disk", range: block.range)
        checkKeys(body, ["size", "sticky", "migrate"])
        var disk = Caravan_V1_EphemeralDisk()
        if let size = int64(body, "size") { disk.sizeMb = size }
        if let sticky = bool(body, "sticky") { disk.sticky = sticky }
        if let migrate = bool(body, "migrate") { disk.migrate = migrate }
        return disk
    }

    mutating func decodePeriodic(_ reader: BodyReader, owner: String) -> Caravan_V1_PeriodicConfig? {
        guard let block = block(reader, "periodic") else { return nil }
        let body = block.body
        record(body, at: owner + "/periodic", range: block.range)
        checkKeys(body, ["cron", "crons", "prohibit_overlap", "time_zone", "enabled"])
        var periodic = Caravan_V1_PeriodicConfig()
        periodic.enabled = true
        if let cron = string(body, "cron") { periodic.crons.append(cron) }
        if let crons = strings(body, "crons") { periodic.crons.append(contentsOf: crons) }
        if let prohibit = bool(body, "prohibit_overlap") { periodic.prohibitOverlap = prohibit }
        if let zone = string(body, "time_zone") { periodic.timeZone = zone }
        if let enabled = bool(body, "enabled") { periodic.enabled = enabled }
        return periodic
    }

    mutating func decodeParameterized(_ reader: BodyReader, owner: String) -> Caravan_V1_ParameterizedConfig? {
        guard let block = block(reader, "parameterized") else { return nil }
        let body = block.body
        record(body, at: owner + "/parameterized", range: block.range)
        checkKeys(body, ["payload", "meta_required", "meta_optional"])
        var config = Caravan_V1_ParameterizedConfig()
        let payloads: [(String, Caravan_V1_ParameterizedConfig.PayloadRequirement)] = [
            ("optional", .optional), ("required", .required), ("forbidden", .forbidden),
        ]
        config.payload = choice(body, "payload", payloads) ?? .optional
        if let required = strings(body, "meta_required") { config.metaRequired = required }
        if let optional = strings(body, "meta_optional") { config.metaOptional = optional }
        return config
    }
}
