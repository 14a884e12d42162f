import ArgumentParser
import CaravanDaemon

/// meshd's flags: the shared agent flags, its port, the servers it follows and its default intention policy.
public struct MeshOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions
    @OptionGroup public var servers: ServersOption

    @Option(name: .hashicorp("port"), help: "gRPC port for ctl and proxies (0: pick one).")
    public var port: Int = 8502

    @Option(
        name: .hashicorp("default-intention-policy"),
        help: """
            allow or deny: the decision for connections and requests no intention matches. Consul's development \
            default is allow; production configs should say deny (see deploy/).
            """)
    public var defaultIntentionPolicy: String = "allow"

    public init() {}

    public func validate() throws {
        try validatePort(port, flag: "port")
        guard ["allow", "deny"].contains(defaultIntentionPolicy) else {
            throw ValidationError("-default-intention-policy must be allow or deny, not \"\(defaultIntentionPolicy)\"")
        }
    }
}
