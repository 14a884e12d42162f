import CaravanProto
import Testing

@testable import CtlCommands

@Suite("job plan output")
struct JobPlanFormatterTests {
    static let hint = """
        Job Modify Index: 7
        To submit the job with version verification run:

        ctl job run -check-index 7 web.nomad.hcl

        When running the job with the check-index flag, the job will only be run if the
        job modify index given matches the server-side version. If the index has
        changed, another user has modified the job and the plan's results are
        potentially invalid.
        """

    @Test("counts per group, the diff, placement failures and the check-index hint; exit 1 when allocations change")
    func changes() {
        let plan = Caravan_V1_PlanJobResponse.with {
            $0.jobModifyIndex = 7
            $0.annotations.desiredTgUpdates = [
                "web": .with {
                    $0.place = 2
                    $0.stop = 1
                    $0.inPlaceUpdate = 1
                },
                "db": .with { $0.place = 1 },
            ]
            $0.failedTgAllocs = ["db": Fixture.volumeAndMemoryMetric(coalesced: 0)]
            $0.diff = .with {
                $0.type = .edited
                $0.id = "web"
                $0.taskGroups = [
                    .with {
                        $0.type = .edited
                        $0.name = "web"
                        $0.fields = [
                            .with {
                                $0.type = .edited
                                $0.name = "Count"
                                $0.old = "2"
                                $0.new = "3"
                            }
                        ]
                    },
                    .with {
                        $0.type = .added
                        $0.name = "db"
                    },
                ]
            }
        }
        #expect(JobPlanFormatter.exitStatus(plan) == 1)
        #expect(
            JobPlanFormatter.render(jobID: "web", file: "web.nomad.hcl", plan: plan) == """
                +/- Job: "web"
                + Task Group: "db" (1 create)
                +/- Task Group: "web" (2 create, 1 destroy, 1 in-place update)
                  +/- Count: "2" => "3"

                Scheduler dry-run:
                - WARNING: Failed to place all allocations.
                  Task Group "db" (failed to place 1 allocation):
                    * 2 nodes excluded by host volume mysql
                    * Dimension memory exhausted on 3 nodes


                """ + Self.hint)
    }

    @Test("without a diff the markers come from the counts; in-place updates alone exit 0")
    func noDiff() {
        let plan = Caravan_V1_PlanJobResponse.with {
            $0.jobModifyIndex = 7
            $0.annotations.desiredTgUpdates = [
                "web": .with {
                    $0.ignore = 2
                    $0.inPlaceUpdate = 1
                }
            ]
        }
        #expect(JobPlanFormatter.exitStatus(plan) == 0)
        #expect(
            JobPlanFormatter.render(jobID: "web", file: "web.nomad.hcl", plan: plan) == """
                +/- Job: "web"
                +/- Task Group: "web" (2 ignore, 1 in-place update)

                Scheduler dry-run:
                - All tasks successfully allocated.


                """ + Self.hint)
    }

    @Test("a group with nothing to do has no marker and the plan exits 0")
    func unchanged() {
        let plan = Caravan_V1_PlanJobResponse.with {
            $0.annotations.desiredTgUpdates = ["web": .with { $0.ignore = 3 }]
        }
        #expect(JobPlanFormatter.exitStatus(plan) == 0)
        #expect(
            JobPlanFormatter.diffLines(jobID: "web", plan: plan) == ["Job: \"web\"", "Task Group: \"web\" (3 ignore)"])
    }

    @Test("a periodic job's plan says when the next child would launch")
    func periodicLaunch() {
        let plan = Caravan_V1_PlanJobResponse.with {
            $0.nextPeriodicLaunch = .init(seconds: 1_700_000_040)
        }
        let text = JobPlanFormatter.render(jobID: "report", file: "report.hcl", plan: plan)
        #expect(text.contains("- If submitted now, next periodic launch would be at 2023-11-14T22:14:00Z"), "\(text)")
        #expect(!JobPlanFormatter.render(jobID: "web", file: "web.hcl", plan: .init()).contains("periodic"))
    }
}
