import ArgumentParser
import CaravanDaemon
import CaravanRPC

/// proxyd's flags: the shared agent flags plus the port of its own status endpoint.
public struct ProxyOptions: ParsableArguments, Sendable {
    @OptionGroup public var agent: AgentOptions

    @Option(name: .hashicorp("port"), help: "gRPC port of the proxy's status endpoint (0: pick one).")
    public var port: Int = 0

    public init() {}

    public func validate() throws {
        try validatePort(port, flag: "port")
    }
}
