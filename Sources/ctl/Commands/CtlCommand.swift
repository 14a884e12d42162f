import ArgumentParser
import CaravanDaemon
import CaravanRPC

/// The root of `ctl`, Caravan's command-line interface.
public struct CtlCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Caravan's command-line interface.",
        discussion: """
            Talks to the daemons over mutual TLS with a cli certificate: set CARAVAN_ADDR, CARAVAN_CACERT, \
            CARAVAN_CLIENT_CERT and CARAVAN_CLIENT_KEY (`eval "$(deploy/dev env)"` does it for a dev cluster), or \
            pass -address, -ca-cert, -client-cert and -client-key. The mesh verbs (intention, config, mesh) talk to \
            meshd instead: -address, else CARAVAN_MESH_ADDR, else 127.0.0.1:8502. Flags take one dash or two.
            """,
        version: CaravanVersion.current,
        subcommands: [
            StatusCommand.self, JobCommand.self, DeploymentCommand.self, EvalCommand.self, AllocCommand.self,
            NodeCommand.self,
            ServiceCommand.self, IntentionCommand.self, ConfigCommand.self, MeshCommand.self, VarCommand.self,
            OperatorCommand.self, TLSCommand.self,
        ],
        helpNames: .hashicorpHelp
    )

    public init() {}
}
