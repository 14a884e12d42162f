import ArgumentParser
import CaravanProto
import CaravanRPC
import Foundation

/// `ctl job dispatch`: start a child of a parameterized job with a payload and meta, then follow its
/// evaluation, as `nomad job dispatch` does.
struct JobDispatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Run a parameterized job once, with an optional payload and meta.",
        discussion: """
            Creates a child job of the parameterized job JOB (registered earlier with `ctl job run`): a copy of it \
            named JOB/dispatch-<time>-<id> carrying the payload (from PAYLOAD, or standard input with -) and the \
            -meta values, which the job's parameterized block must allow (meta_required, meta_optional, payload \
            required/optional/forbidden, at most 16 KiB of payload). Tasks with a dispatch_payload block find the \
            payload in local/<file>, and the meta as NOMAD_META_<key>. Prints the child's ID and its evaluation, \
            then follows the evaluation like `job run` unless -detach. With -idempotency-token, dispatching again \
            with the same token returns the child created the first time (while it is not stopped).
            Exit status: 0 when the child's allocations were placed (or with -detach), 2 when some could not be \
            placed, 1 when the servers refuse the dispatch (with their reason) or the payload cannot be read, \
            64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption

    @Option(
        name: .hashicorp("meta"),
        help: ArgumentHelp("Set a meta value of the child: -meta key=value (repeatable).", valueName: "key=value"))
    var meta: [String] = []

    @Option(
        name: .hashicorp("idempotency-token"),
        help: ArgumentHelp("Return the existing child dispatched with this token instead of a new one.", valueName: "T")
    )
    var idempotencyToken: String?

    @Flag(name: .hashicorp("detach"), help: "Return once the child is registered, without watching the evaluation.")
    var detach = false

    @Flag(name: .hashicorp("verbose"), help: "Print full IDs.") var verbose = false

    @Argument(help: "The parameterized job's ID.") var job: String

    @Argument(help: "A file whose content is the payload; - reads standard input. No argument: no payload.")
    var payload: String?

    func run() async throws {
        try await runVerb { try await execute(emit: { print($0) }) }
    }

    /// Dispatches and (unless -detach) monitors; returns the exit status.
    func execute(emit: (String) -> Void) async throws -> Int32 {
        var request = Caravan_V1_DispatchJobRequest()
        request.jobID = job
        request.namespace = scope.resolved
        request.meta = try Self.meta(meta)
        request.idempotencyToken = idempotencyToken ?? ""
        if let payload { request.payload = try Self.readPayload(payload) }
        return try await connection.dialer().withClient(try connection.target()) { client in
            let response = try await Caravan_V1_Jobs.Client(wrapping: client).dispatch(request)
            let evalID = verbose ? response.evalID : String(response.evalID.prefix(8))
            emit("Dispatched Job ID = \(response.dispatchedJobID)")
            emit("Evaluation ID     = \(evalID)")
            guard !detach, !response.evalID.isEmpty else { return 0 }
            emit("")
            let monitor = EvalMonitor(source: ServerEvaluationSource(client: client), verbose: verbose)
            return try await monitor.run(evaluationID: response.evalID, emit: emit)
        }
    }

    /// The `-meta key=value` flags as a map; a flag without `=`, with an empty key or a repeated key is a usage
    /// error (exit 64), found before anything is sent.
    static func meta(_ flags: [String]) throws -> [String: String] {
        var meta: [String: String] = [:]
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw VarUsageError("-meta \"\(flag)\" is not a meta value: write -meta key=value")
            }
            let key = String(flag[..<equals])
            guard meta[key] == nil else { throw VarUsageError("-meta key \"\(key)\" is given twice") }
            meta[key] = String(flag[flag.index(after: equals)...])
        }
        return meta
    }

    /// The payload bytes from `path`, or from standard input for `-`.
    static func readPayload(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CaravanError.invalidArgument("cannot read the payload file \(path)")
        }
        return data
    }
}
