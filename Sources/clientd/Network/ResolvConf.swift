/// The resolv.conf an allocation's tasks see when its group network has a `dns { servers searches options }`
/// block: the namespace has its own stack, so the host's resolver settings (often a loopback stub) may not apply.
public enum ResolvConf {
    /// The file's text; nil when the block sets nothing (tasks then see the host's file).
    public static func render(servers: [String], searches: [String], options: [String]) -> String? {
        guard !servers.isEmpty || !searches.isEmpty || !options.isEmpty else { return nil }
        var lines = ["# Written by Caravan from the group's network dns block."]
        lines += servers.map { "nameserver \($0)" }
        if !searches.isEmpty { lines.append("search " + searches.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        return lines.joined(separator: "\n") + "\n"
    }
}
