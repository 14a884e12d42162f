import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation

/// `ctl intention check`: would SRC be allowed to reach DST (optionally with an HTTP request)?
///
/// Scripts branch on the exit status, so it is Consul's: 0 allowed, 1 denied, 2 for every error, bad arguments
/// included. Arguments are therefore checked in `run`, not by the parser (whose errors exit 64); only an unknown
/// flag still exits 64.
struct IntentionCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check whether connections (or an HTTP request) from SRC to DST would be allowed.",
        discussion: """
            Without -http-* flags the connection is checked (L4); with them, the request is checked against the \
            L7 permissions too. Prints Allowed or Denied, then the reason.
            \(MeshHelp.meshd)
            Exit status: 0 when allowed, 1 when denied, 2 on any error (bad arguments, a failed call), as Consul.
            """
    )

    static let errorStatus: Int32 = 2

    @OptionGroup var connection: MeshConnectionOptions
    @Option(name: .hashicorp("http-method"), help: "The request's method, e.g. GET.") var method: String?
    @Option(name: .hashicorp("http-path"), help: "The request's path, starting with /.") var path: String?
    @Option(name: .hashicorp("http-header"), help: "A request header NAME=VALUE (repeatable).")
    var headers: [String] = []
    @Argument(help: "SRC DST: the source and destination services.") var services: [String] = []

    /// The request these arguments ask for, or the usage problem as `VarUsageError`.
    func request() throws -> Caravan_V1_CheckIntentionRequest {
        guard services.count == 2 else {
            throw VarUsageError("give SRC and DST (got \(services.count) arguments)")
        }
        let source: IntentionArguments.Service
        let destination: IntentionArguments.Service
        let headers: [String: String]
        do {
            source = try IntentionArguments.service(services[0], role: "source")
            destination = try IntentionArguments.service(services[1], role: "destination")
            headers = try IntentionArguments.pairs(self.headers, flag: "-http-header")
        } catch let error as ValidationError {
            throw VarUsageError(error.message)
        }
        if let path, !path.hasPrefix("/") { throw VarUsageError("-http-path must start with /, but it is \"\(path)\"") }
        if let method, method.isEmpty || method.contains(where: \.isWhitespace) {
            throw VarUsageError("-http-method \"\(method)\" is not an HTTP method")
        }
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            guard lowered.updateValue(value, forKey: name.lowercased()) == nil else {
                throw VarUsageError("-http-header \"\(name.lowercased())\" is given twice (names ignore case)")
            }
        }
        let isHTTP = method != nil || path != nil || !headers.isEmpty
        return .with {
            $0.sourceName = source.name
            $0.sourceNamespace = source.namespace
            $0.destinationName = destination.name
            $0.destinationNamespace = destination.namespace
            if isHTTP {
                $0.http = .with {
                    $0.method = method?.uppercased() ?? ""
                    $0.path = path ?? ""
                    $0.headers = lowered
                }
            }
        }
    }

    func run() async throws {
        let status: Int32
        do {
            let request = try request()
            let response = try await connection.dialer().withClient(try connection.target()) { client in
                try await Caravan_V1_Intentions.Client(wrapping: client).check(request)
            }
            print(IntentionFormatter.check(response))
            status = response.allowed ? 0 : 1
        } catch let usage as VarUsageError {
            FileHandle.standardError.write(Data("Error: \(usage.message)\n".utf8))
            status = Self.errorStatus
        } catch {
            FileHandle.standardError.write(Data("Error: \(RPCErrorText.describe(error))\n".utf8))
            status = Self.errorStatus
        }
        if status != 0 { throw ExitCode(status) }
    }
}
