import ArgumentParser
import CaravanDaemon
import Mesh

@main
struct Meshd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshd",
        abstract: "Caravan mesh control plane: intentions, discovery chains and proxy configuration (stateless).",
        discussion: """
            Run as many replicas as needed; state lives in serverd. Every connection is mutual TLS: -ca-file, \
            -cert-file and -key-file are required, and the certificate must carry the DNS SAN \
            mesh.<region>.caravan (see `ctl tls cert create -mesh`).
            Stops gracefully on SIGTERM or SIGINT. Exit status: 0 after a clean stop, 1 when it cannot start, \
            64 for bad flags.
            """,
        helpNames: .hashicorpHelp
    )

    @OptionGroup var options: MeshOptions

    static func main() async {
        await main(DaemonArguments.prepare(for: .mesh, label: "meshd"))
    }

    func run() async throws {
        let logger = CaravanLogHandler.bootstrap(
            label: "meshd",
            level: options.agent.logLevel.level,
            json: options.agent.logJSON
        )
        try await MeshDaemon.runner(options).runOrExit(logger: logger)
    }
}
