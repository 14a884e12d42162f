import ArgumentParser
import CaravanDaemon
import CaravanServer

@main
struct Serverd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serverd",
        abstract: "Caravan server: replicated state, scheduling, catalog and the Connect CA.",
        discussion: """
            Run 3 or 5 replicas. Every connection is mutual TLS: -ca-file, -cert-file and -key-file are required, \
            and the certificate must carry the DNS SAN server.<region>.caravan (see `ctl tls cert create -server`).
            Stops gracefully on SIGTERM or SIGINT. Exit status: 0 after a clean stop, 1 when it cannot start, \
            64 for bad flags.
            """,
        helpNames: .hashicorpHelp
    )

    @OptionGroup var options: ServerOptions

    static func main() async {
        await main(DaemonArguments.prepare(for: .server, label: "serverd"))
    }

    func run() async throws {
        let logger = CaravanLogHandler.bootstrap(
            label: "serverd",
            level: options.agent.logLevel.level,
            json: options.agent.logJSON
        )
        try await ServerDaemon.runner(options).runOrExit(logger: logger)
    }
}
