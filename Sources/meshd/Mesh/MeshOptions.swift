import ArgumentParser
import CaravanDaemon

/// meshd's flags: the shared agent flags, its port and the servers it talks to.
public struct MeshOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions
    @OptionGroup public var servers: ServersOption

    @Option(name: .hashicorp("port"), help: "gRPC port for ctl and proxies (0: pick one).")
    public var port: Int = 8502

    public init() {}

    public func validate() throws {
        try validatePort(port, flag: "port")
    }
}
