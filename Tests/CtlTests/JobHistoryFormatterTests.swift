import CaravanProto
import Testing

@testable import CtlCommands

@Suite("job history output")
struct JobHistoryFormatterTests {
    static func version(_ number: UInt64, stable: Bool) -> Caravan_V1_Job {
        .with {
            $0.id = "web"
            $0.version = number
            $0.stable = stable
            $0.submitTime = Fixture.timestamp(secondsAgo: 600 - Int64(number))
        }
    }

    static let versions = [version(1, stable: false), version(0, stable: true)]
    static let countDiff = Caravan_V1_JobDiff.with {
        $0.type = .edited
        $0.id = "web"
        $0.taskGroups = [
            .with {
                $0.type = .edited
                $0.name = "web"
                $0.fields = [
                    .with {
                        $0.type = .edited
                        $0.name = "count"
                        $0.old = "2"
                        $0.new = "3"
                    }
                ]
            }
        ]
    }

    @Test("without -p: Version, Stable and Submit Date per version, newest first, blocks apart")
    func plain() {
        #expect(
            JobHistoryFormatter.render(Self.versions, diffs: []) == """
                Version     = 1
                Stable      = false
                Submit Date = 2023-11-14T22:03:21Z

                Version     = 0
                Stable      = true
                Submit Date = 2023-11-14T22:03:20Z
                """)
    }

    @Test("with -p: each version but the oldest shows its diff against the previous one, as job plan draws it")
    func withDiffs() {
        #expect(
            JobHistoryFormatter.render(Self.versions, diffs: [Self.countDiff]) == """
                Version     = 1
                Stable      = false
                Submit Date = 2023-11-14T22:03:21Z
                Diff        =
                +/- Job: "web"
                +/- Task Group: "web"
                  +/- count: "2" => "3"

                Version     = 0
                Stable      = true
                Submit Date = 2023-11-14T22:03:20Z
                """)
    }

    @Test("-version picks one version and its diff; an unknown version is not found; no change says so")
    func select() throws {
        let (job, diff) = try #require(JobHistoryFormatter.select(1, from: Self.versions, diffs: [Self.countDiff]))
        #expect(job.version == 1 && diff == Self.countDiff)
        let oldest = try #require(JobHistoryFormatter.select(0, from: Self.versions, diffs: [Self.countDiff]))
        #expect(oldest.1 == nil)
        #expect(JobHistoryFormatter.select(7, from: Self.versions, diffs: []) == nil)
        #expect(JobHistoryFormatter.diffLines(.with { $0.type = .none }, jobID: "web") == ["(no changes)"])
    }
}
