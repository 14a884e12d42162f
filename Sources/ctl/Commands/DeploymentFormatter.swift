import CaravanProto
import State

/// Renders deployments the way `nomad deployment list|status` does: a list, one deployment's header, and the
/// per-group "Deployed" table (shared with `ctl job status` and the deployment monitor).
enum DeploymentFormatter {
    /// One row per deployment, as given (newest first); "No deployments found" when there are none.
    static func list(_ deployments: [Caravan_V1_Deployment], verbose: Bool = false) -> String {
        guard !deployments.isEmpty else { return "No deployments found" }
        let rows = deployments.map { deployment in
            [
                DisplayText.shortID(deployment.id, verbose: verbose), deployment.jobID, "\(deployment.jobVersion)",
                deployment.status.displayName, deployment.statusDescription,
            ]
        }
        return ColumnTable.render(header: ["ID", "Job ID", "Job Version", "Status", "Description"], rows: rows)
    }

    /// ID, Job ID, Job Version, Status, Description, then "Deployed" with the group table when it has groups.
    static func status(_ deployment: Caravan_V1_Deployment, verbose: Bool = false) -> String {
        let header = KeyValueTable.render([
            ("ID", DisplayText.shortID(deployment.id, verbose: verbose)),
            ("Job ID", deployment.jobID),
            ("Job Version", "\(deployment.jobVersion)"),
            ("Status", deployment.status.displayName),
            ("Description", deployment.statusDescription),
        ])
        guard !deployment.taskGroups.isEmpty else { return header }
        return header + "\n\nDeployed\n" + groups(deployment)
    }

    /// The short form `ctl job status` shows under "Latest Deployment": no job fields, which the job shows.
    static func latest(_ deployment: Caravan_V1_Deployment, verbose: Bool = false) -> String {
        let header = KeyValueTable.render([
            ("ID", DisplayText.shortID(deployment.id, verbose: verbose)),
            ("Status", deployment.status.displayName),
            ("Description", deployment.statusDescription),
        ])
        guard !deployment.taskGroups.isEmpty else { return "Latest Deployment\n" + header }
        return "Latest Deployment\n" + header + "\n\nDeployed\n" + groups(deployment)
    }

    /// One row per group, sorted by name. As Nomad does, "Auto Revert" appears only when some group has it,
    /// "Promoted" and "Canaries" only when some group wants canaries, "Progress Deadline" only when some group
    /// has one (N/A for a group without a deadline set yet).
    static func groups(_ deployment: Caravan_V1_Deployment) -> String {
        let states = deployment.taskGroups.sorted { $0.key < $1.key }
        let autoRevert = states.contains { $0.value.autoRevert }
        let canaries = states.contains { $0.value.desiredCanaries > 0 }
        let deadline = states.contains { $0.value.hasProgressDeadline && $0.value.progressDeadline != .init() }
        var header = ["Task Group"]
        if autoRevert { header.append("Auto Revert") }
        if canaries { header.append("Promoted") }
        header.append("Desired")
        if canaries { header.append("Canaries") }
        header += ["Placed", "Healthy", "Unhealthy"]
        if deadline { header.append("Progress Deadline") }
        let rows = states.map { name, state in
            var row = [name]
            if autoRevert { row.append("\(state.autoRevert)") }
            if canaries { row.append(state.desiredCanaries > 0 ? "\(state.promoted)" : "N/A") }
            row.append("\(state.desiredTotal)")
            if canaries { row.append("\(state.desiredCanaries)") }
            row += ["\(state.placedAllocs)", "\(state.healthyAllocs)", "\(state.unhealthyAllocs)"]
            if deadline { row.append(state.hasRequireProgressBy ? DisplayText.time(state.requireProgressBy) : "N/A") }
            return row
        }
        return ColumnTable.render(header: header, rows: rows)
    }

    /// One progress line for the monitor: status, then per group what is placed and healthy, e.g.
    /// `Deployment "0b23b149" running: web 1/2 placed, 1 healthy, 0 unhealthy, canaries 1/1 (not promoted)`.
    static func progress(_ deployment: Caravan_V1_Deployment, verbose: Bool = false) -> String {
        let groups = deployment.taskGroups.sorted { $0.key < $1.key }.map { name, state in
            var text =
                "\(name) \(state.placedAllocs)/\(state.desiredTotal) placed, \(state.healthyAllocs) healthy, "
                + "\(state.unhealthyAllocs) unhealthy"
            if state.desiredCanaries > 0 {
                text +=
                    ", canaries \(state.placedCanaries.count)/\(state.desiredCanaries)"
                    + (state.promoted ? " (promoted)" : " (not promoted)")
            }
            return text
        }
        let id = DisplayText.shortID(deployment.id, verbose: verbose)
        let counts = groups.isEmpty ? "" : ": " + groups.joined(separator: "; ")
        return "    Deployment \"\(id)\" \(deployment.status.displayName)\(counts)"
    }
}
