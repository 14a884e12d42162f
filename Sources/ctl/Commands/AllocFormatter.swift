import CaravanProto
import Foundation

/// Renders `ctl alloc status` the way `nomad alloc status` does: the record, its ports, then each task.
enum AllocFormatter {
    static func detail(_ alloc: Caravan_V1_Allocation, now: Date, verbose: Bool = false) -> String {
        var rows = [
            ("ID", DisplayText.shortID(alloc.id, verbose: verbose)),
            ("Eval ID", DisplayText.shortID(alloc.evalID, verbose: verbose)),
            ("Name", alloc.name),
            ("Node ID", DisplayText.shortID(alloc.nodeID, verbose: verbose)),
            ("Node Name", alloc.nodeName),
            ("Job ID", alloc.jobID),
            ("Job Version", "\(alloc.jobVersion)"),
            ("Client Status", StatusNames.client(alloc.clientStatus)),
            ("Client Description", orDash(alloc.clientDescription)),
            ("Desired Status", StatusNames.desired(alloc.desiredStatus)),
            ("Desired Description", orDash(alloc.desiredDescription)),
            ("Created", DisplayText.ago(alloc.createTime, now: now)),
        ]
        if !alloc.networkStatus.address.isEmpty {
            // The allocation's own address in its namespace (bridge mode), where the `To` ports listen.
            rows.append(("Alloc IP", alloc.networkStatus.address))
        }
        var sections = [KeyValueTable.render(rows)]
        let ports = portLines(alloc)
        if !ports.isEmpty { sections.append(ports.joined(separator: "\n")) }
        let taskNames = Set(alloc.allocatedResources.tasks.keys).union(alloc.taskStates.keys).sorted()
        sections += taskNames.map { taskSection(alloc, task: $0) }
        return sections.joined(separator: "\n\n")
    }

    /// "Allocation Addresses (mode = "bridge")" and a Label / Host Port / To / Host IP table per network.
    static func portLines(_ alloc: Caravan_V1_Allocation) -> [String] {
        alloc.allocatedResources.shared.networks.filter { !$0.ports.isEmpty }.flatMap { network in
            let rows = network.ports.map { port in
                let hostIP = port.hostIp.isEmpty ? network.ip : port.hostIp
                return [port.label, "\(port.value)", port.to > 0 ? "\(port.to)" : "-", hostIP.isEmpty ? "-" : hostIP]
            }
            let mode = network.mode.isEmpty ? "host" : network.mode
            return ["Allocation Addresses (mode = \"\(mode)\")"]
                + [ColumnTable.render(header: ["Label", "Host Port", "To", "Host IP"], rows: rows)]
        }
    }

    /// `Task "web" is "running"`, its CPU and memory, and its recent events newest first.
    static func taskSection(_ alloc: Caravan_V1_Allocation, task: String) -> String {
        let state = alloc.taskStates[task]
        var lines = ["Task \"\(task)\" is \"\(state.map { StatusNames.task($0.state) } ?? "pending")\""]
        if let resources = alloc.allocatedResources.tasks[task] {
            let memoryMax = resources.memoryMaxMb > resources.memoryMb ? " (max \(resources.memoryMaxMb) MiB)" : ""
            lines.append("Task Resources:")
            lines.append(
                ColumnTable.render(
                    header: ["CPU", "Memory"],
                    rows: [["\(resources.cpuMhz) MHz", "\(resources.memoryMb) MiB\(memoryMax)"]]
                ))
        }
        if let events = state?.events, !events.isEmpty {
            lines.append("")
            lines.append("Recent Events:")
            let rows = events.reversed().map { event in
                [
                    DisplayText.time(event.time), event.type,
                    event.displayMessage.isEmpty ? event.message : event.displayMessage,
                ]
            }
            lines.append(ColumnTable.render(header: ["Time", "Type", "Description"], rows: rows))
        }
        return lines.joined(separator: "\n")
    }

    static func orDash(_ text: String) -> String {
        text.isEmpty ? "-" : text
    }
}
