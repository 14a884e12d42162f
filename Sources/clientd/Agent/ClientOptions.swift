import ArgumentParser
import CaravanDaemon

/// clientd's flags: the shared agent flags, its port and the servers it talks to.
public struct ClientOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions
    @OptionGroup public var servers: ServersOption

    @Option(name: .hashicorp("port"), help: "gRPC port for the allocation file-system API (0: pick one).")
    public var port: Int = 4649

    public init() {}

    public func validate() throws {
        try validatePort(port, flag: "port")
    }
}
