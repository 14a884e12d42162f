import ArgumentParser
import CaravanProto
import CaravanRPC

/// `ctl job history`: the versions the servers keep of a job, and with -p what each one changed.
struct JobHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the versions kept of a job, and what each changed.",
        discussion: """
            Lists the versions of JOB the servers keep (the last six), newest first: Version, Stable (a version \
            that completed a deployment, which auto-revert may go back to) and Submit Date. -p adds the diff of \
            each version against the one before it, drawn like `ctl job plan`. -version N shows only that version. \
            Use `ctl job revert JOB N` to run a version again.
            Exit status: 0 on success, 1 when the call fails (no such job, a version not kept), 64 for bad arguments.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var scope: NamespaceOption
    @Flag(name: .customShort("p"), help: "Show the diff of each version against the previous one.") var diffs = false
    @Option(name: .hashicorp("version"), help: ArgumentHelp("Show only version N.", valueName: "N"))
    var version: UInt64?
    @Flag(name: .hashicorp("json"), help: "Print the versions as the API's JSON.") var json = false
    @Argument(help: "The job's ID.") var job: String

    func run() async throws {
        try await runVerb {
            print(try await execute())
            return 0
        }
    }

    func execute() async throws -> String {
        var request = Caravan_V1_ListJobVersionsRequest()
        request.jobID = job
        request.diffs = diffs || version != nil
        request.query.namespace = scope.resolved
        let response = try await connection.dialer().withClient(try connection.target()) { client in
            try await Caravan_V1_Jobs.Client(wrapping: client).versions(request)
        }
        guard let version else {
            return json
                ? try VarFormatter.jsonArray(response.versions)
                : JobHistoryFormatter.render(response.versions, diffs: diffs ? response.diffs : [])
        }
        guard let selected = JobHistoryFormatter.select(version, from: response.versions, diffs: response.diffs) else {
            let kept = response.versions.map { "\($0.version)" }.joined(separator: ", ")
            throw CaravanError.notFound("job \"\(job)\" has no stored version \(version) (versions kept: \(kept))")
        }
        return json ? try selected.job.jsonString() : JobHistoryFormatter.version(selected.job, diff: selected.diff)
    }
}
