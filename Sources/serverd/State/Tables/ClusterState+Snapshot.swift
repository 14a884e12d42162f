import CaravanProto
import CaravanRPC

extension ClusterState {
    /// Writes every table into `snapshot`, sorted by key so replicas in the same state write the same bytes.
    func write(into snapshot: inout Caravan_V1_StateSnapshot) {
        snapshot.jobVersions = jobs.sortedKeys.flatMap { jobs[$0]?.versions ?? [] }
        snapshot.evaluations = evals.sortedKeys.compactMap { evals[$0] }
        snapshot.allocations = allocs.sortedKeys.compactMap { allocs[$0] }
        snapshot.nodes = nodes.sortedKeys.compactMap { nodes[$0] }
        snapshot.deployments = deployments.sortedKeys.compactMap { deployments[$0] }
        snapshot.serviceInstances = mesh.instances.sortedKeys.compactMap { mesh.instances[$0] }
        snapshot.intentions = mesh.allIntentions
        snapshot.configEntries = mesh.allConfigEntries
        if let ca = mesh.connectCA { snapshot.connectCa = ca }
        snapshot.meshKeyIndexes = mesh.keyIndexes
        snapshot.tableIndexes = Dictionary(uniqueKeysWithValues: tableIndexes.map { ($0.key.rawValue, $0.value) })
        snapshot.periodicLaunches = periodicLaunches.keys.sorted().compactMap { key in
            guard let launch = periodicLaunches[key] else { return nil }
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            return Caravan_V1_PeriodicLaunch.with {
                $0.namespace = parts.first ?? "default"
                $0.jobID = parts.count > 1 ? parts[1] : ""
                $0.launch = launch
            }
        }
    }

    /// Rebuilds the tables and their indexes from a snapshot; throws DATA_LOSS on contradictions (an allocation
    /// without an id, a job version out of order) rather than restoring half a state.
    init(restoring snapshot: Caravan_V1_StateSnapshot) throws {
        self.init()
        for job in snapshot.jobVersions {
            guard !job.id.isEmpty else { throw CaravanError(.dataLoss, "snapshot holds a job without an id") }
            let key = Self.jobKey(namespace: job.namespace, id: job.id)
            var record = jobs[key] ?? JobRecord(current: job, versions: [])
            if let last = record.versions.last, last.version >= job.version {
                throw CaravanError(
                    .dataLoss, "snapshot holds versions of job \"\(job.id)\" out of order (\(job.version))")
            }
            record.versions.append(job)
            record.current = job
            jobs[key] = record
            indexPeriodic(job, key: key)
        }
        for eval in snapshot.evaluations {
            guard !eval.id.isEmpty else { throw CaravanError(.dataLoss, "snapshot holds an evaluation without an id") }
            evals[eval.id] = eval
            evalsByJob.insert(eval.id, into: Self.jobKey(namespace: eval.namespace, id: eval.jobID))
        }
        for alloc in snapshot.allocations {
            guard !alloc.id.isEmpty else {
                throw CaravanError(.dataLoss, "snapshot holds an allocation without an id")
            }
            storeAllocation(alloc, replacing: nil)
            allocsByNode.insert(alloc.id, into: alloc.nodeID)
            allocsByJob.insert(alloc.id, into: Self.jobKey(namespace: alloc.namespace, id: alloc.jobID))
        }
        for node in snapshot.nodes {
            guard !node.id.isEmpty else { throw CaravanError(.dataLoss, "snapshot holds a node without an id") }
            storeNode(node)
        }
        for deployment in snapshot.deployments {
            guard !deployment.id.isEmpty else {
                throw CaravanError(.dataLoss, "snapshot holds a deployment without an id")
            }
            deployments[deployment.id] = deployment
            indexRollout(deployment)
            deploymentsByJob.insert(
                deployment.id, into: Self.jobKey(namespace: deployment.namespace, id: deployment.jobID))
        }
        for launch in snapshot.periodicLaunches {
            periodicLaunches[Self.jobKey(namespace: launch.namespace, id: launch.jobID)] = launch.launch
        }
        for instance in snapshot.serviceInstances { restoreInstance(instance) }
        for intention in snapshot.intentions { mesh.intentions[intention.id] = intention }
        for entry in snapshot.configEntries {
            mesh.configEntries[MeshTables.entryKey(kind: entry.kind, name: entry.name)] = entry
        }
        if snapshot.hasConnectCa { mesh.connectCA = snapshot.connectCa }
        mesh.keyIndexes = snapshot.meshKeyIndexes
        for (name, index) in snapshot.tableIndexes {
            if let table = StateTable(rawValue: name) { tableIndexes[table] = index }
        }
    }
}
