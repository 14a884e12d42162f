import CaravanProto
import CaravanRPC

/// Renders the Connect CA's roots: a table of them, or the active root's certificate.
enum CARootsFormatter {
    static func table(_ response: Caravan_V1_ListCARootsResponse, verbose: Bool = false) -> String {
        guard !response.roots.isEmpty else { return "No CA roots" }
        let rows = response.roots.map { root in
            [
                DisplayText.shortID(root.id, verbose: verbose), root.name,
                isActive(root, response) ? "true" : "false",
                root.hasNotAfter ? VarFormatter.time(root.notAfter) : "-",
                root.trustDomain.isEmpty ? response.trustDomain : root.trustDomain,
            ]
        }
        return ColumnTable.render(header: ["ID", "Name", "Active", "Not After", "Trust Domain"], rows: rows)
    }

    /// The active root's PEM, without a trailing newline (print adds one).
    static func activePEM(_ response: Caravan_V1_ListCARootsResponse) throws -> String {
        guard let root = response.roots.first(where: { isActive($0, response) }) else {
            throw CaravanError.notFound("the Connect CA has no active root")
        }
        var pem = root.rootCertPem
        while pem.hasSuffix("\n") { pem.removeLast() }
        return pem
    }

    /// The root's own flag, or the response's active root ID when the flag is not set.
    static func isActive(_ root: Caravan_V1_CARoot, _ response: Caravan_V1_ListCARootsResponse) -> Bool {
        root.active || (!response.activeRootID.isEmpty && root.id == response.activeRootID)
    }
}
