import CaravanProto
import CaravanRPC

extension ClusterState {
    /// Brings the catalog in line with one allocation just written: its instances are derived again and every
    /// service whose instances changed records the entry's index. Only while applying an entry (not on restore,
    /// which reads the catalog from the snapshot).
    mutating func syncCatalog(for alloc: Caravan_V1_Allocation) {
        guard let index = journal?.index else { return }
        // Every placement and status report passes here: an allocation that is not running and has nothing in the
        // catalog (the common case while plans apply) costs no job lookup.
        let running = alloc.desiredStatus == .run && alloc.clientStatus == .running
        guard running || mesh.instanceIDsByAlloc[alloc.id] != nil else { return }
        let derived = ServiceInstanceBuilder.instances(of: alloc, job: job(of: alloc), node: nodes[alloc.nodeID])
        let oldIDs = mesh.instanceIDsByAlloc[alloc.id] ?? []
        let newIDs = Set(derived.map(\.id))
        if oldIDs.isEmpty && newIDs.isEmpty { return }
        var changedServices: Set<String> = []
        for id in oldIDs.subtracting(newIDs) {
            guard let old = mesh.instances[id] else { continue }
            mesh.instances[id] = nil
            mesh.instanceIDsByService[old.name]?.remove(id)
            if mesh.instanceIDsByService[old.name]?.isEmpty == true { mesh.instanceIDsByService[old.name] = nil }
            changedServices.insert(old.name)
        }
        for var instance in derived {
            let existing = mesh.instances[instance.id]
            instance.createIndex = existing?.createIndex ?? index
            instance.modifyIndex = existing?.modifyIndex ?? index
            if existing == instance { continue }
            instance.modifyIndex = index
            mesh.instances[instance.id] = instance
            mesh.instanceIDsByService[instance.name, default: []].insert(instance.id)
            changedServices.insert(instance.name)
        }
        mesh.instanceIDsByAlloc[alloc.id] = newIDs.isEmpty ? nil : newIDs
        guard !changedServices.isEmpty else { return }
        for service in changedServices { mesh.record(MeshStateKey.catalog(service), at: index) }
        touch(.catalog, at: index)
    }

    /// A node's status changed: the health of its allocations' instances follows it.
    mutating func syncCatalog(nodeID: String) {
        guard journal != nil else { return }
        for id in allocsByNode[nodeID] ?? [] {
            if let alloc = allocs[id] { syncCatalog(for: alloc) }
        }
    }

    /// Restores the catalog's indexes from snapshot instances.
    mutating func restoreInstance(_ instance: Caravan_V1_ServiceInstance) {
        mesh.instances[instance.id] = instance
        mesh.instanceIDsByService[instance.name, default: []].insert(instance.id)
        mesh.instanceIDsByAlloc[instance.allocID, default: []].insert(instance.id)
    }
}
