import CaravanProto
import Foundation

/// Renders `ctl node status` the way `nomad node status` does: a node list, or one node with its allocations.
enum NodeFormatter {
    /// ID, DC, Name, Class, Drain, Eligibility, Status; "No nodes registered" when there are none.
    static func list(_ nodes: [Caravan_V1_NodeListStub], verbose: Bool = false) -> String {
        guard !nodes.isEmpty else { return "No nodes registered" }
        let rows = nodes.map { node in
            [
                DisplayText.shortID(node.id, verbose: verbose), node.datacenter, node.name, className(node.nodeClass),
                "\(node.drain)", StatusNames.eligibility(node.schedulingEligibility), StatusNames.node(node.status),
            ]
        }
        return ColumnTable.render(header: ["ID", "DC", "Name", "Class", "Drain", "Eligibility", "Status"], rows: rows)
    }

    /// The node's record, its host volumes and healthy drivers, attributes with -verbose, then its allocations.
    static func detail(
        _ node: Caravan_V1_Node, allocations: [Caravan_V1_AllocationListStub], now: Date, verbose: Bool = false
    ) -> String {
        let drivers = node.drivers.filter { $0.value.detected && $0.value.healthy }.keys.sorted()
        var rows = [
            ("ID", DisplayText.shortID(node.id, verbose: verbose)),
            ("Name", node.name),
            ("Class", className(node.nodeClass)),
            ("DC", node.datacenter),
            ("Drain", "\(node.hasDrainStrategy)"),
        ]
        if node.hasDrainStrategy { rows += drainRows(node.drainStrategy, now: now) }
        rows += [
            ("Eligibility", StatusNames.eligibility(node.schedulingEligibility)),
            ("Status", StatusNames.node(node.status)),
            (
                "Host Volumes",
                node.hostVolumes.isEmpty ? "<none>" : node.hostVolumes.keys.sorted().joined(separator: ",")
            ),
            ("Drivers", drivers.isEmpty ? "<none>" : drivers.joined(separator: ",")),
            ("Network Modes", node.networkModes.isEmpty ? "host" : node.networkModes.joined(separator: ",")),
        ]
        if !node.bridge.name.isEmpty { rows.append(("Bridge", "\(node.bridge.name) \(node.bridge.subnet)")) }
        var sections = [KeyValueTable.render(rows)]
        if verbose, !node.attributes.isEmpty {
            sections.append("Attributes\n" + KeyValueTable.render(node.attributes.sorted { $0.key < $1.key }))
        }
        if !node.events.isEmpty { sections.append("Node Events\n" + eventTable(node.events)) }
        sections.append("Allocations\n" + allocationTable(allocations, now: now, verbose: verbose))
        return sections.joined(separator: "\n\n")
    }

    /// The deadline of a drain in progress ("forced", "none" or the time left) and whether it spares system jobs.
    static func drainRows(_ strategy: Caravan_V1_DrainStrategy, now: Date) -> [(String, String)] {
        let deadline: String
        if strategy.spec.force {
            deadline = "forced"
        } else if !strategy.hasForceDeadline {
            deadline = "none"
        } else {
            let left = Int(strategy.forceDeadline.date.timeIntervalSince(now).rounded(.up))
            deadline = left <= 0 ? "passed" : "\(goDuration(seconds: left)) left"
        }
        return [("Drain Deadline", deadline), ("Drain Ignore System Jobs", "\(strategy.spec.ignoreSystemJobs)")]
    }

    /// Whole seconds as Go prints a duration: "45s", "5m0s", "1h0m0s".
    static func goDuration(seconds: Int) -> String {
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m\(seconds % 60)s"
        default: return "\(seconds / 3600)h\(seconds % 3600 / 60)m\(seconds % 60)s"
        }
    }

    /// The node's events, newest first, as Nomad's "Node Events" section shows them.
    static func eventTable(_ events: [Caravan_V1_NodeEvent]) -> String {
        let rows = events.reversed().map { event in
            [DisplayText.time(event.timestamp), event.subsystem, event.message]
        }
        return ColumnTable.render(header: ["Time", "Subsystem", "Message"], rows: rows)
    }

    /// ID, Job ID, Task Group, Version, Desired, Status, Created; newest first. "No allocations placed" if none.
    static func allocationTable(_ allocations: [Caravan_V1_AllocationListStub], now: Date, verbose: Bool) -> String {
        guard !allocations.isEmpty else { return "No allocations placed" }
        let rows = allocations.sorted { $0.createIndex > $1.createIndex }.map { alloc in
            [
                DisplayText.shortID(alloc.id, verbose: verbose), alloc.jobID, alloc.taskGroup, "\(alloc.jobVersion)",
                StatusNames.desired(alloc.desiredStatus), StatusNames.client(alloc.clientStatus),
                DisplayText.ago(alloc.createTime, now: now),
            ]
        }
        let header = ["ID", "Job ID", "Task Group", "Version", "Desired", "Status", "Created"]
        return ColumnTable.render(header: header, rows: rows)
    }

    /// Nomad prints `<none>` for a node without a class.
    static func className(_ nodeClass: String) -> String {
        nodeClass.isEmpty ? "<none>" : nodeClass
    }
}
