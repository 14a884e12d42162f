import CaravanProto

/// What a meshd replica was configured with and applies to every snapshot it builds.
public struct MeshSettings: Sendable {
    public var datacenter: String
    /// The decision for connections and requests no intention matches.
    public var defaultAllow: Bool

    public init(datacenter: String, defaultAllow: Bool) {
        self.datacenter = datacenter
        self.defaultAllow = defaultAllow
    }

    var defaultAction: Caravan_V1_IntentionAction { defaultAllow ? .allow : .deny }
}
