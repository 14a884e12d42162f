import ArgumentParser
import CaravanRPC

/// How the mesh verbs reach meshd: like `ConnectionOptions`, but the address comes from `-address`, else
/// `CARAVAN_MESH_ADDR`, else 127.0.0.1:8502, and the help says so.
struct MeshConnectionOptions: ParsableArguments, Sendable {
    static let environmentKey = "CARAVAN_MESH_ADDR"
    static let fallback = "127.0.0.1:8502"

    @Option(name: .hashicorp("address"), help: "host:port of meshd (env CARAVAN_MESH_ADDR; default 127.0.0.1:8502).")
    var address: String?

    @Option(name: .hashicorp("ca-cert"), help: "PEM file of the agent CA (env CARAVAN_CACERT).")
    var caCert: String?

    @Option(name: .hashicorp("client-cert"), help: "PEM cli certificate (env CARAVAN_CLIENT_CERT).")
    var clientCert: String?

    @Option(name: .hashicorp("client-key"), help: "PEM key of the cli certificate (env CARAVAN_CLIENT_KEY).")
    var clientKey: String?

    @Option(name: .hashicorp("timeout"), help: "Deadline for each call, in seconds.")
    var timeoutSeconds: Double = 10

    func validate() throws {
        guard timeoutSeconds > 0 else { throw ValidationError("-timeout must be positive") }
    }

    /// The same settings as `ConnectionOptions`, whose address and TLS rules they reuse.
    var connection: ConnectionOptions {
        var options = ConnectionOptions()
        options.address = address
        options.caCert = caCert
        options.clientCert = clientCert
        options.clientKey = clientKey
        options.timeoutSeconds = timeoutSeconds
        return options
    }

    /// meshd's address: the flag, else CARAVAN_MESH_ADDR, else 127.0.0.1:8502.
    func target() throws -> HostPort {
        try connection.target(environmentKey: Self.environmentKey, fallback: Self.fallback)
    }

    /// The TLS dialer, from the same files and variables as every other verb.
    func dialer() throws -> RPCDialer {
        try connection.dialer()
    }
}

/// Help text the mesh verbs share.
enum MeshHelp {
    static let meshd = """
        Connects to meshd over mutual TLS: -address, else CARAVAN_MESH_ADDR, else 127.0.0.1:8502, with the cli \
        certificate from -ca-cert, -client-cert and -client-key (or CARAVAN_CACERT, CARAVAN_CLIENT_CERT, \
        CARAVAN_CLIENT_KEY).
        """

    static let serverd = """
        Connects to serverd over mutual TLS: -address, else CARAVAN_ADDR, else 127.0.0.1:4647, with the cli \
        certificate from -ca-cert, -client-cert and -client-key (or CARAVAN_CACERT, CARAVAN_CLIENT_CERT, \
        CARAVAN_CLIENT_KEY).
        """

    static let exitStatus = "Exit status: 0 on success, 1 when the call fails, 64 for bad arguments."
}
