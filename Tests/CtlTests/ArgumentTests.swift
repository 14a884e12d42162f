import ArgumentParser
import Testing

@testable import CtlCommands

@Suite("ctl argument errors")
struct ArgumentTests {
    /// Parses as `ctl` does and returns the exit code and message of the error it raises.
    static func failure(_ arguments: [String]) -> (code: Int32, message: String)? {
        do {
            _ = try CtlCommand.parseAsRoot(arguments)
            return nil
        } catch {
            return (CtlCommand.exitCode(for: error).rawValue, CtlCommand.message(for: error))
        }
    }

    @Test("job run without a FILE exits 64 and names the missing file")
    func runWithoutFile() throws {
        let failure = try #require(Self.failure(["job", "run"]))
        #expect(failure.code == 64)
        #expect(failure.message.contains("Missing expected argument '<file>'"))
    }

    @Test(
        "node eligibility needs exactly one of -enable and -disable (exit 64)",
        arguments: [
            ["node", "eligibility", "a1b2"],
            ["node", "eligibility", "-enable", "-disable", "a1b2"],
        ])
    func eligibility(arguments: [String]) throws {
        let failure = try #require(Self.failure(arguments))
        #expect(failure.code == 64)
        #expect(failure.message.contains("give exactly one of -enable or -disable"))
    }

    @Test("the new verbs parse with single-dash flags")
    func parses() throws {
        #expect(try CtlCommand.parseAsRoot(["node", "eligibility", "-disable", "a1b2"]) is NodeEligibilityCommand)
        let run = try #require(
            try CtlCommand.parseAsRoot(["job", "run", "-detach", "-check-index", "7", "-var", "a=b", "web.hcl"])
                as? JobRunCommand)
        #expect(run.detach && run.checkIndex == 7 && run.spec.file == "web.hcl")
        #expect(try CtlCommand.parseAsRoot(["job", "stop", "-purge", "web"]) is JobStopCommand)
        #expect(try CtlCommand.parseAsRoot(["job", "status"]) is JobStatusCommand)
        #expect(try CtlCommand.parseAsRoot(["job", "plan", "web.hcl"]) is JobPlanCommand)
        #expect(try CtlCommand.parseAsRoot(["job", "inspect", "web"]) is JobInspectCommand)
        #expect(try CtlCommand.parseAsRoot(["job", "inspect", "-local", "web.hcl"]) is JobInspectCommand)
        #expect(try CtlCommand.parseAsRoot(["eval", "status", "-json", "5a1b"]) is EvalStatusCommand)
        #expect(try CtlCommand.parseAsRoot(["alloc", "status", "0f1e"]) is AllocStatusCommand)
        #expect(try CtlCommand.parseAsRoot(["alloc", "stop", "0f1e"]) is AllocStopCommand)
        #expect(try CtlCommand.parseAsRoot(["node", "status", "-verbose"]) is NodeStatusCommand)
    }

    @Test("every new verb's help documents its exit status")
    func helpNamesExitStatus() {
        let verbs: [any ParsableCommand.Type] = [
            JobRunCommand.self, JobPlanCommand.self, JobStopCommand.self, JobStatusCommand.self,
            JobInspectCommand.self, EvalStatusCommand.self, AllocStatusCommand.self, AllocStopCommand.self,
            NodeStatusCommand.self, NodeEligibilityCommand.self,
        ]
        for verb in verbs {
            #expect(verb.configuration.discussion.contains("Exit status"), "\(verb)")
        }
    }
}
