import ArgumentParser
import CaravanDaemon
import Proxy

@main
struct Proxyd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxyd",
        abstract: "Caravan sidecar proxy: the mesh data plane, one per connect service instance.",
        discussion: """
            Normally started by clientd inside an allocation's network namespace. Every connection is mutual TLS: \
            -ca-file, -cert-file and -key-file are required (a client.<region>.caravan certificate for now).
            Stops gracefully on SIGTERM or SIGINT. Exit status: 0 after a clean stop, 1 when it cannot start, \
            64 for bad flags.
            """,
        helpNames: .hashicorpHelp
    )

    @OptionGroup var options: ProxyOptions

    static func main() async {
        await main(DaemonArguments.prepare(for: .proxy, label: "proxyd"))
    }

    func run() async throws {
        let logger = CaravanLogHandler.bootstrap(
            label: "proxyd",
            level: options.agent.logLevel.level,
            json: options.agent.logJSON
        )
        try await ProxyDaemon.runner(options).runOrExit(logger: logger)
    }
}
