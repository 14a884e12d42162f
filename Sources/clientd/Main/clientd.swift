import ArgumentParser
import CaravanDaemon
import ClientAgent

@main
struct Clientd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clientd",
        abstract: "Caravan client: runs allocations on this machine (one clientd per machine).",
        discussion: """
            Every connection is mutual TLS: -ca-file, -cert-file and -key-file are required, and the certificate \
            must carry the DNS SAN client.<region>.caravan (see `ctl tls cert create -client`).
            Stops gracefully on SIGTERM or SIGINT. Exit status: 0 after a clean stop, 1 when it cannot start, \
            64 for bad flags.
            """,
        helpNames: .hashicorpHelp
    )

    @OptionGroup var options: ClientOptions

    static func main() async {
        await main(DaemonArguments.prepare(for: .client, label: "clientd"))
    }

    func run() async throws {
        let logger = CaravanLogHandler.bootstrap(
            label: "clientd",
            level: options.agent.logLevel.level,
            json: options.agent.logJSON
        )
        try await ClientDaemon.runner(options).runOrExit(logger: logger)
    }
}
