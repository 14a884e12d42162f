import CaravanProto

/// Renders the catalog: one row per service, or one row per instance of a service.
enum ServiceFormatter {
    /// Services sorted by name with their tags, instance and passing counts, and whether any is in the mesh.
    static func list(_ services: [String: Caravan_V1_ServiceSummary]) -> String {
        guard !services.isEmpty else { return "No services registered" }
        let rows = services.keys.sorted().map { name in
            let summary = services[name] ?? Caravan_V1_ServiceSummary()
            return [
                name, tags(summary.tags), "\(summary.instances)", "\(summary.passing)",
                summary.connect ? "true" : "false",
            ]
        }
        return ColumnTable.render(header: ["Name", "Tags", "Instances", "Passing", "Connect"], rows: rows)
    }

    /// Instances in the order the catalog returned them.
    static func instances(_ instances: [Caravan_V1_ServiceInstance], service: String, verbose: Bool = false)
        -> String
    {
        guard !instances.isEmpty else { return "No instances of service \"\(service)\"" }
        let rows = instances.map { instance in
            [
                DisplayText.shortID(instance.id, verbose: verbose),
                DisplayText.shortID(instance.allocID, verbose: verbose),
                instance.nodeName.isEmpty ? DisplayText.shortID(instance.nodeID, verbose: verbose) : instance.nodeName,
                hostPort(instance.address, instance.port), health(instance.health), tags(instance.tags),
                sidecar(instance),
            ]
        }
        return ColumnTable.render(
            header: ["ID", "Alloc ID", "Node", "Address", "Health", "Tags", "Sidecar"], rows: rows)
    }

    /// The mesh column: the sidecar's address, `native`, or `-` outside the mesh.
    static func sidecar(_ instance: Caravan_V1_ServiceInstance) -> String {
        guard instance.hasConnect else { return "-" }
        if instance.connect.native { return "native" }
        guard !instance.connect.sidecarAddress.isEmpty else { return "-" }
        return hostPort(instance.connect.sidecarAddress, instance.connect.sidecarPort)
    }

    static func hostPort(_ host: String, _ port: Int32) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static func tags(_ tags: [String]) -> String {
        tags.isEmpty ? "-" : tags.joined(separator: ",")
    }

    static func health(_ status: Caravan_V1_HealthStatus) -> String {
        switch status {
        case .passing: "passing"
        case .warning: "warning"
        case .critical: "critical"
        default: "unknown"
        }
    }
}
