import CaravanProto

/// The part of `ctl job status` for periodic and parameterized parents, as `nomad job status` shows them: counts
/// of their children by status, then the children themselves, instead of the parent's own (absent) allocations.
enum JobStatusChildren {
    /// "Children Job Summary" (or "Parameterized Job Summary") and "Previously Launched Jobs" (or "Dispatched
    /// Jobs"), children newest first.
    static func sections(parent: Caravan_V1_Job, children: [Caravan_V1_JobListStub]) -> [String] {
        let parameterized = parent.hasParameterized
        let pending = children.filter { $0.status == .pending }.count
        let running = children.filter { $0.status == .running }.count
        let dead = children.filter { $0.status == .dead }.count
        let summary = ColumnTable.render(
            header: ["Pending", "Running", "Dead"], rows: [["\(pending)", "\(running)", "\(dead)"]])
        let title = parameterized ? "Parameterized Job Summary" : "Children Job Summary"
        let listTitle = parameterized ? "Dispatched Jobs" : "Previously Launched Jobs"
        guard !children.isEmpty else {
            let none =
                parameterized
                ? "No dispatched instances of parameterized job found" : "No instances of periodic job found"
            return [title + "\n" + summary, none]
        }
        let rows = children.sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }.map { child in
            [child.id, StatusNames.job(child.status)]
        }
        return [title + "\n" + summary, listTitle + "\n" + ColumnTable.render(header: ["ID", "Status"], rows: rows)]
    }
}
