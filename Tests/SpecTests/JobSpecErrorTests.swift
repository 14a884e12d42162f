import Foundation
import HCL
import Spec
import Testing

@Suite("Invalid job files give exact, positioned errors")
struct JobSpecErrorTests {
    static let groupKeys =
        "count, constraint, affinity, spread, restart, reschedule, update, migrate, ephemeral_disk, network, volume, "
        + "service, task, meta, shutdown_delay, stop_after_client_disconnect"

    /// Each invalid fixture with every line it must produce, in order.
    static let corpus: [(file: String, errors: [String])] = [
        (
            "unknown-key.hcl",
            ["invalid/unknown-key.hcl:3:5: unknown attribute \"cont\" in group \"api\"; expected one of: \(groupKeys)"]
        ),
        (
            "duplicate-labels.hcl",
            [
                "invalid/duplicate-labels.hcl:5:7: port \"http\" is declared twice in this network; the first is at "
                    + "line 4, column 7",
                "invalid/duplicate-labels.hcl:11:5: volume \"data\" is declared twice in this group; the first is at "
                    + "line 7, column 5",
            ]
        ),
        (
            "wrong-type.hcl",
            [
                "invalid/wrong-type.hcl:3:13: invalid value for \"count\": a whole number is required, but got "
                    + "string \"three\""
            ]
        ),
        (
            "bad-duration.hcl",
            [
                "invalid/bad-duration.hcl:12:9: interval: \"10x\" is not a duration: unknown unit \"x\" "
                    + "(use ns, us, ms, s, m or h)"
            ]
        ),
        (
            "bad-port.hcl",
            ["invalid/bad-port.hcl:5:18: port \"http\": static must be between 1 and 65535, but it is 70000"]
        ),
        ("missing-driver.hcl", ["invalid/missing-driver.hcl:3:5: task \"api\" needs a driver, e.g. driver = \"exec\""]),
        (
            "connect-host-mode.hcl",
            [
                "invalid/connect-host-mode.hcl:13:7: service \"web\" uses a connect sidecar, which needs the group "
                    + "network in bridge mode, but group \"web\" uses \"host\"; add network { mode = \"bridge\" }"
            ]
        ),
        (
            "volume-mount-missing.hcl",
            [
                "invalid/volume-mount-missing.hcl:15:23: volume_mount in task \"postgres\" refers to volume "
                    + "\"pgdata\", which group \"db\" does not declare (it declares \"data\")"
            ]
        ),
        (
            "duplicate-group.hcl",
            [
                "invalid/duplicate-group.hcl:11:3: duplicate group \"api\"; group names must be unique in a job "
                    + "(the first is group 1)"
            ]
        ),
        (
            "periodic-service.hcl",
            [
                "invalid/periodic-service.hcl:2:3: a periodic block is only allowed in batch jobs, and this is a "
                    + "service job"
            ]
        ),
        (
            "two-jobs.hcl",
            [
                "invalid/two-jobs.hcl:12:1: only one \"job\" block is allowed in a job file; the first is at line 1, "
                    + "column 1"
            ]
        ),
        (
            "no-job.hcl",
            ["invalid/no-job.hcl:1:1: no \"job\" block found; a job file holds exactly one job \"name\" { ... } block"]
        ),
        (
            "exec-config-unknown.hcl",
            [
                "invalid/exec-config-unknown.hcl:5:7: exec config: \"command\" is required",
                "invalid/exec-config-unknown.hcl:6:18: exec config: unknown key \"comand\"; expected one of: "
                    + "command, args, work_dir, pid_mode, ipc_mode",
                "invalid/exec-config-unknown.hcl:7:18: exec config: \"args\" must be a list of strings, but it is "
                    + "a string",
            ]
        ),
        (
            "raw-exec-pid-mode.hcl",
            [
                "invalid/raw-exec-pid-mode.hcl:7:20: raw_exec config: unknown key \"pid_mode\"; expected one of: "
                    + "command, args, work_dir"
            ]
        ),
        (
            "csi-volume.hcl",
            [
                "invalid/csi-volume.hcl:4:16: volume \"data\" has type \"csi\", which Caravan does not support; "
                    + "only \"host\" volumes are available"
            ]
        ),
        (
            "job-level-task.hcl",
            [
                "invalid/job-level-task.hcl:1:1: job \"api\" needs at least one group \"name\" { task \"name\" "
                    + "{ ... } } block",
                "invalid/job-level-task.hcl:2:3: a task must be inside a group: write group \"name\" { task \"name\" "
                    + "{ ... } } (Nomad job files put every task in a group)",
            ]
        ),
        (
            "undeclared-port.hcl",
            [
                "invalid/undeclared-port.hcl:8:14: port \"web\" is not declared in the network block of group "
                    + "\"api\" (it declares \"http\")",
                "invalid/undeclared-port.hcl:13:20: port \"healthz\" is not declared in the network block of group "
                    + "\"api\" (it declares \"http\")",
            ]
        ),
        (
            "duplicate-static.hcl",
            [
                "invalid/duplicate-static.hcl:8:18: static port 8080 is used by both port \"http\" and port \"alt\" "
                    + "in group \"api\""
            ]
        ),
        (
            "upstream-clash.hcl",
            [
                "invalid/upstream-clash.hcl:19:34: upstream \"payments\" local_bind_port 9091 clashes with static "
                    + "port \"http\" of group \"web\""
            ]
        ),
        (
            "ranges.hcl",
            [
                "invalid/ranges.hcl:2:14: job priority must be between 1 and 100, but it is 150",
                "invalid/ranges.hcl:5:13: group \"api\" count must be 0 or more, but it is -1",
                "invalid/ranges.hcl:10:19: affinity weight must be between -100 and 100 and not 0, but it is 0",
                "invalid/ranges.hcl:15:19: invalid constraint operator \"like\"; expected one of: =, !=, >, >=, <, "
                    + "<=, regexp, version, semver, set_contains, set_contains_any, distinct_hosts, "
                    + "distinct_property, is_set, is_not_set",
            ]
        ),
        (
            "system-rules.hcl",
            [
                "invalid/system-rules.hcl:5:13: group \"agent\" has count 3, but a system job runs one allocation "
                    + "per node; use count = 1 or leave it out",
                "invalid/system-rules.hcl:7:5: a system job does not allow a reschedule block; its allocations are "
                    + "never rescheduled",
            ]
        ),
        (
            "task-service-connect.hcl",
            [
                "invalid/task-service-connect.hcl:17:9: connect is only allowed in a group service; move service "
                    + "\"api-api-api\" to the group"
            ]
        ),
        (
            "unsupported-vault.hcl",
            [
                "invalid/unsupported-vault.hcl:9:7: \"vault\" in task \"api\" is not supported by Caravan: Vault "
                    + "integration is not available; read secrets from Caravan variables in a template"
            ]
        ),
        (
            "bad-enum.hcl",
            [
                "invalid/bad-enum.hcl:2:10: invalid value for \"type\": expected one of \"service\", \"batch\", "
                    + "\"system\", but got \"sysbatch\"",
                "invalid/bad-enum.hcl:6:14: invalid value for \"mode\": expected one of \"fail\", \"delay\", but got "
                    + "\"fial\"",
            ]
        ),
        (
            "legacy-task-network.hcl",
            [
                "invalid/legacy-task-network.hcl:11:9: a network inside task resources is no longer supported; "
                    + "declare ports in the group's network block and refer to them by label"
            ]
        ),
        (
            "unknown-field.json",
            [
                "invalid/unknown-field.json:1:1: unknown field \"taskGroupz\" in job JSON; fields are the protobuf "
                    + "JSON names of caravan.v1.Job"
            ]
        ),
        (
            "json-validation.json",
            [
                "invalid/json-validation.json:1:1: job priority must be between 1 and 100, but it is 500",
                "invalid/json-validation.json:1:1: exec config: \"command\" is required",
            ]
        ),
    ]

    @Test("each invalid fixture gives exactly its expected errors", arguments: corpus.map(\.file))
    func invalidFixture(file: String) throws {
        let expected = try #require(Self.corpus.first { $0.file == file }?.errors)
        #expect(try JobFixtures.errors("invalid/" + file) == expected)
    }

    @Test("every file in the invalid corpus has expectations")
    func corpusIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: JobFixtures.directory.appendingPathComponent("invalid").path)
        #expect(Set(files) == Set(Self.corpus.map(\.file) + ["several-errors.hcl"]))
    }

    @Test("one file with many mistakes reports them all, in file order")
    func severalErrors() throws {
        let file = "invalid/several-errors.hcl"
        #expect(
            try JobFixtures.errors(file) == [
                "\(file):3:14: invalid value for \"priority\": a whole number is required, but got string \"high\"",
                "\(file):5:3: a periodic block is only allowed in batch jobs, and this is a service job",
                "\(file):11:5: unknown attribute \"colour\" in group \"web\"; expected one of: \(Self.groupKeys)",
                "\(file):15:18: port \"http\": static must be between 1 and 65535, but it is 0",
                "\(file):20:14: port \"https\" is not declared in the network block of group \"web\" "
                    + "(it declares \"http\")",
                "\(file):23:5: task \"web\" needs a driver, e.g. driver = \"exec\"",
                "\(file):28:7: kill_timeout: \"soon\" is not a duration (expected e.g. \"30s\", \"5m\", \"1h30m\")",
                "\(file):31:23: volume_mount in task \"web\" refers to volume \"assets\", which group \"web\" does "
                    + "not declare; add a volume block to the group",
                "\(file):36:5: duplicate task \"web\" in group \"web\"; task names must be unique in a group",
                "\(file):40:19: raw_exec config: unknown key \"user\"; expected one of: command, args, work_dir",
                "\(file):45:3: duplicate group \"web\"; group names must be unique in a job (the first is group 1)",
            ])
    }
}
