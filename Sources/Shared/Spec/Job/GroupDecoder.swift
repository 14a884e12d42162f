import CaravanProto
import HCL
import SwiftProtobuf

extension JobDecoder {
    static let groupKeys = [
        "count", "constraint", "affinity", "spread", "restart", "reschedule", "update", "migrate", "ephemeral_disk",
        "network", "volume", "service", "task", "meta", "shutdown_delay", "stop_after_client_disconnect",
    ]

    mutating func decodeGroup(_ block: BlockReader, path: String, inherited: GroupInheritance) -> Caravan_V1_TaskGroup {
        let reader = block.body
        record(reader, at: path, range: block.range)
        checkKeys(reader, Self.groupKeys)
        var group = Caravan_V1_TaskGroup()
        group.name = label(block, "name", path: path) ?? ""
        group.count = int32(reader, "count") ?? 1
        group.constraints = decodeConstraints(reader, owner: path)
        group.affinities = decodeAffinities(reader, owner: path)
        group.spreads = decodeSpreads(reader, owner: path)

        let defaultRestart = JobDefaults.restart(for: jobType)
        group.restartPolicy = decodeRestart(reader, owner: path, onto: defaultRestart) ?? defaultRestart
        if let reschedule = decodeReschedule(reader, owner: path, onto: inherited.reschedule) ?? inherited.reschedule {
            group.reschedulePolicy = reschedule
        }
        if let update = decodeUpdate(reader, owner: path, onto: inherited.update) ?? inherited.update {
            group.update = update
        }
        if let migrate = decodeMigrate(reader, owner: path, onto: inherited.migrate) ?? inherited.migrate {
            group.migrate = migrate
        }
        if let disk = decodeEphemeralDisk(reader, owner: path) { group.ephemeralDisk = disk }
        if let network = decodeNetwork(reader, owner: path) { group.networks = [network] }
        group.volumes = decodeVolumes(reader, owner: path)
        group.services = decodeServices(reader, owner: path)
        if let meta = stringMap(reader, "meta") { group.meta = meta }
        if let delay = duration(reader, "shutdown_delay") { group.shutdownDelay = delay }
        if let disconnect = duration(reader, "stop_after_client_disconnect") {
            group.stopAfterClientDisconnect = disconnect
        }
        for (index, task) in blocks(reader, "task").enumerated() {
            group.tasks.append(
                decodeTask(task, path: JobSourceMap.child(path, "task", index), groupRestart: group.restartPolicy))
        }
        return group
    }
}
