import ArgumentParser
import Testing

@testable import CtlCommands

@Suite("ctl deployment, history, revert and promote arguments")
struct DeploymentArgumentTests {
    @Test("the verbs parse with single-dash flags")
    func parses() throws {
        let history = try #require(
            try CtlCommand.parseAsRoot(["job", "history", "-p", "-version", "2", "-json", "web"]) as? JobHistoryCommand)
        #expect(history.diffs && history.version == 2 && history.json && history.job == "web")
        let revert = try #require(
            try CtlCommand.parseAsRoot(["job", "revert", "-detach", "-check-version", "3", "web", "1"])
                as? JobRevertCommand)
        #expect(revert.detach && revert.checkVersion == 3 && revert.job == "web" && revert.version == 1)
        let promote = try #require(
            try CtlCommand.parseAsRoot(["job", "promote", "-group", "a", "-group", "b", "web"]) as? JobPromoteCommand)
        #expect(promote.groups == ["a", "b"] && !promote.detach)
        #expect(try CtlCommand.parseAsRoot(["deployment", "list", "-json"]) is DeploymentListCommand)
        #expect(try CtlCommand.parseAsRoot(["deployment", "status", "-verbose", "0b23"]) is DeploymentStatusCommand)
        #expect(
            try CtlCommand.parseAsRoot(["deployment", "promote", "-group", "web", "0b23"]) is DeploymentPromoteCommand)
        #expect(try CtlCommand.parseAsRoot(["deployment", "fail", "0b23"]) is DeploymentFailCommand)
        #expect(try CtlCommand.parseAsRoot(["deployment", "pause", "0b23"]) is DeploymentPauseCommand)
        #expect(try CtlCommand.parseAsRoot(["deployment", "resume", "-detach", "0b23"]) is DeploymentResumeCommand)
    }

    @Test(
        "bad arguments exit 64 with what is wrong",
        arguments: [
            (["job", "revert", "web"], "Missing expected argument '<version>'"),
            (["job", "revert", "web", "latest"], "The value 'latest' is invalid for '<version>'"),
            (["job", "history", "-version", "-1", "web"], "-version"),
            (["job", "history"], "Missing expected argument '<job>'"),
            (["deployment", "status"], "Missing expected argument '<deployment>'"),
            (["deployment", "fail"], "Missing expected argument '<deployment>'"),
        ])
    func invalid(arguments: [String], message: String) throws {
        let failure = try #require(ArgumentTests.failure(arguments))
        #expect(failure.code == 64)
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    @Test("every verb's help documents its exit status")
    func helpNamesExitStatus() {
        let verbs: [any ParsableCommand.Type] = [
            JobHistoryCommand.self, JobRevertCommand.self, JobPromoteCommand.self, DeploymentListCommand.self,
            DeploymentStatusCommand.self, DeploymentPromoteCommand.self, DeploymentFailCommand.self,
            DeploymentPauseCommand.self, DeploymentResumeCommand.self, JobRunCommand.self,
        ]
        for verb in verbs {
            #expect(verb.configuration.discussion.contains("Exit status"), "\(verb)")
        }
    }
}
