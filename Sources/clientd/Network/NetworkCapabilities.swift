#if canImport(Glibc)
    import Glibc
#endif

/// Which network modes this node can set up, and why not the others: the node fingerprints them so the
/// scheduler never places a bridge-mode group where clientd could not build its namespace.
public struct NetworkCapabilities: Sendable, Equatable {
    /// Always contains "host".
    public var modes: [String]
    /// Why bridge and none are missing, when they are.
    public var unavailableReason: String?

    /// Namespaces need root and `ip`; bridge mode also needs `iptables` and `iptables-restore`.
    public static func probe(command: HostCommand = HostCommand(), isRoot: Bool = geteuid() == 0)
        -> NetworkCapabilities
    {
        guard isRoot else {
            return NetworkCapabilities(modes: ["host"], unavailableReason: "clientd is not running as root")
        }
        let missing = ["ip", "iptables", "iptables-restore"].filter { command.locate($0) == nil }
        guard missing.isEmpty else {
            return NetworkCapabilities(
                modes: ["host"], unavailableReason: "not installed: \(missing.joined(separator: ", "))")
        }
        return NetworkCapabilities(modes: ["host", "bridge", "none"], unavailableReason: nil)
    }
}
