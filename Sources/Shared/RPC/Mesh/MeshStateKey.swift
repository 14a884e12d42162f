/// The dependency keys of the mesh state, shared by serverd (which records the Raft index of each key's last
/// change) and meshd (which versions a proxy's snapshot by the highest index among the keys it was built from).
///
/// Keys are coarse on purpose: a proxy depends on a handful of them, and every replica derives the same index for
/// each, so a proxy that moves to another meshd replica is served the same snapshot version.
public enum MeshStateKey {
    public static let roots = "roots"

    /// All instances of one service.
    public static func catalog(_ service: String) -> String { "catalog:\(service)" }

    /// All intentions whose destination is `destination` (`*` included as its own key).
    public static func intentions(_ destination: String) -> String { "intentions:\(destination)" }

    /// One config entry, present or not.
    public static func config(kind: String, name: String) -> String { "config:\(kind)/\(name)" }

    /// The parts of a key: its family and the rest (`("catalog", "web")`); nil for a malformed key.
    public static func parse(_ key: String) -> (family: String, name: String)? {
        if key == roots { return ("roots", "") }
        guard let colon = key.firstIndex(of: ":") else { return nil }
        return (String(key[..<colon]), String(key[key.index(after: colon)...]))
    }
}
