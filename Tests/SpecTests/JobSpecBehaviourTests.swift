import CaravanProto
import Foundation
import HCL
import Spec
import SwiftProtobuf
import Testing

/// Small inline jobs, each pinning one rule of Nomad's job specification.
@Suite("Job decoding rules")
struct JobSpecBehaviourTests {
    let seconds = JobFixtures.duration

    func decode(_ text: String) throws -> Caravan_V1_Job {
        try JobSpec.decode(SpecSource(filename: "job.hcl", text: text))
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try decode(text)
            return []
        } catch let diagnostics as Diagnostics {
            return diagnostics.items.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    /// A job of `type` with one group holding `group` and a raw_exec task holding `task`.
    func job(type: String = "service", top: String = "", group: String = "", task: String = "") -> String {
        """
        job "j" {
          type = "\(type)"
          \(top)
          group "g" {
            \(group)
            task "t" {
              driver = "raw_exec"
              config {
                command = "/bin/true"
              }
              \(task)
            }
          }
        }
        """
    }

    @Test("a service job gets Nomad's service defaults")
    func serviceDefaults() throws {
        let decoded = try decode(job())
        #expect(decoded.type == .service)
        #expect(decoded.region == "global")
        #expect(decoded.namespace == "default")
        #expect(decoded.priority == 50)
        let group = try #require(decoded.taskGroups.first)
        #expect(group.hasCount && group.count == 1)
        #expect(group.restartPolicy.attempts == 2)
        #expect(group.restartPolicy.interval == seconds(1800))
        #expect(group.restartPolicy.delay == seconds(15))
        #expect(group.restartPolicy.mode == .fail)
        #expect(group.reschedulePolicy.unlimited)
        #expect(group.reschedulePolicy.delay == seconds(30))
        #expect(group.reschedulePolicy.delayFunction == .exponential)
        #expect(group.reschedulePolicy.maxDelay == seconds(3600))
        #expect(group.update.maxParallel == 1)
        #expect(group.update.healthCheck == "checks")
        #expect(group.update.minHealthyTime == seconds(10))
        #expect(group.update.healthyDeadline == seconds(300))
        #expect(group.update.progressDeadline == seconds(600))
        #expect(group.update.stagger == seconds(30))
        #expect(group.migrate.maxParallel == 1)
        #expect(group.migrate.healthCheck == "checks")
        #expect(group.migrate.minHealthyTime == seconds(10))
        #expect(group.migrate.healthyDeadline == seconds(300))
        #expect(group.ephemeralDisk.sizeMb == 300)
        let task = try #require(group.tasks.first)
        #expect(task.resources.cpuMhz == 100)
        #expect(task.resources.memoryMb == 300)
        #expect(task.killTimeout == seconds(5))
        #expect(task.logs.maxFiles == 10)
        #expect(task.logs.maxFileSizeMb == 10)
    }

    @Test("restart and reschedule blocks lay their keys over the job type's defaults")
    func policyOverlay() throws {
        let decoded = try decode(
            job(
                type: "batch",
                group: """
                    restart {
                      attempts = 0
                    }
                    reschedule {
                      delay = "1m"
                    }
                    """))
        let group = try #require(decoded.taskGroups.first)
        #expect(group.restartPolicy.attempts == 0)
        #expect(group.restartPolicy.interval == seconds(86400))
        #expect(group.reschedulePolicy.attempts == 1)
        #expect(group.reschedulePolicy.delay == seconds(60))
        #expect(group.reschedulePolicy.delayFunction == .constant)
    }

    @Test("a job-level reschedule block is inherited by groups")
    func jobReschedule() throws {
        let decoded = try decode(job(top: "reschedule {\n unlimited = false\n attempts = 3\n interval = \"1h\"\n}"))
        let policy = try #require(decoded.taskGroups.first?.reschedulePolicy)
        #expect(!policy.unlimited)
        #expect(policy.attempts == 3)
        #expect(policy.interval == seconds(3600))
        #expect(policy.delayFunction == .exponential)
    }

    @Test("batch jobs may not have update or migrate blocks")
    func batchRules() {
        #expect(
            errors(job(type: "batch", top: "update {\n max_parallel = 2\n}")) == [
                "job.hcl:3:3: a batch job does not allow an update block; deployments only apply to service and "
                    + "system jobs"
            ])
        #expect(
            errors(job(type: "batch", group: "migrate {}")) == [
                "job.hcl:5:5: a batch job does not allow a migrate block"
            ])
        #expect(
            errors(job(top: "parameterized {}")) == [
                "job.hcl:3:3: a parameterized block is only allowed in batch jobs, and this is a service job"
            ])
    }

    @Test("periodic: crons, enabled defaults to true, and bad cron expressions are rejected")
    func periodic() throws {
        let decoded = try decode(job(type: "batch", top: "periodic {\n crons = [\"@hourly\", \"*/5 * * * *\"]\n}"))
        #expect(decoded.periodic.crons == ["@hourly", "*/5 * * * *"])
        #expect(decoded.periodic.enabled)
        let disabled = try decode(job(type: "batch", top: "periodic {\n cron = \"@daily\"\n enabled = false\n}"))
        #expect(!disabled.periodic.enabled)
        #expect(
            errors(job(type: "batch", top: "periodic {\n cron = \"every day\"\n}")) == [
                "job.hcl:4:9: invalid cron expression \"every day\": expected 5 fields (minute hour day-of-month "
                    + "month day-of-week), 6 (those and a year) or 7 (a second, those and a year), or a descriptor "
                    + "such as \"@daily\", but found 2 fields"
            ])
        #expect(
            errors(job(type: "batch", top: "periodic {\n crons = [\"@daily\", \"61 * * * *\"]\n}")) == [
                "job.hcl:4:10: invalid cron expression \"61 * * * *\": minute field \"61\": 61 is out of range 0-59"
            ])
    }

    @Test("periodic: time_zone must be a zone the system knows")
    func periodicTimeZone() throws {
        let decoded = try decode(
            job(type: "batch", top: "periodic {\n cron = \"@daily\"\n time_zone = \"America/New_York\"\n}"))
        #expect(decoded.periodic.timeZone == "America/New_York")
        #expect(
            errors(job(type: "batch", top: "periodic {\n cron = \"@daily\"\n time_zone = \"Mars/Olympus\"\n}")) == [
                "job.hcl:5:14: unknown time_zone \"Mars/Olympus\""
            ])
    }

    @Test("constraint spellings: shorthands, l_target/r_target/operand, and operator aliases")
    func constraintSpellings() throws {
        let decoded = try decode(
            job(
                top: """
                    constraint {
                      l_target = "${attr.vault.version}"
                      r_target = ">= 1.2"
                      operand  = "semver"
                    }
                    constraint {
                      attribute = "${meta.tags}"
                      set_contains_all = "a,b"
                    }
                    constraint {
                      attribute = "${attr.kernel.name}"
                      operator  = "is"
                      value     = "linux"
                    }
                    constraint {
                      distinct_property = "${meta.rack}"
                      value = "3"
                    }
                    constraint {
                      attribute = "${attr.unique.hostname}"
                      regexp    = "^web"
                    }
                    constraint {
                      attribute = "${meta.gpu}"
                      operator  = "is_set"
                    }
                    """))
        #expect(
            decoded.constraints.map(\.operand) == [
                "semver", "set_contains", "=", "distinct_property", "regexp", "is_set",
            ])
        #expect(
            decoded.constraints.map(\.lTarget) == [
                "${attr.vault.version}", "${meta.tags}", "${attr.kernel.name}", "${meta.rack}",
                "${attr.unique.hostname}", "${meta.gpu}",
            ])
        #expect(decoded.constraints.map(\.rTarget) == [">= 1.2", "a,b", "linux", "3", "^web", ""])
    }

    @Test("HCL1 style: meta as a map, blocks as lists of objects, numbers as strings")
    func hcl1Style() throws {
        let decoded = try decode(
            job(
                top: """
                    meta = { "team" = "core", build = 12 }
                    constraint = [{ attribute = "${attr.kernel.name}", value = "linux" }]
                    priority = "60"
                    """,
                group: """
                    count = "4"
                    network {
                      port "http" { static = "8080" }
                      port "grpc" { to = "-1" }
                    }
                    ephemeral_disk { size = "1024" }
                    """,
                task: "resources {\n cpu = \"250\"\n memory = \"128\"\n}"))
        #expect(decoded.meta == ["team": "core", "build": "12"])
        #expect(decoded.constraints.first?.rTarget == "linux")
        #expect(decoded.priority == 60)
        let group = try #require(decoded.taskGroups.first)
        #expect(group.count == 4)
        #expect(group.networks.first?.reservedPorts.first?.value == 8080)
        #expect(group.networks.first?.dynamicPorts.first?.to == -1)
        #expect(group.ephemeralDisk.sizeMb == 1024)
        #expect(group.tasks.first?.resources.cpuMhz == 250)
    }

    @Test("a service port may be a number, written as a number or a string")
    func numericServicePort() throws {
        let decoded = try decode(
            job(group: "service {\n name = \"a\"\n port = 8080\n}\nservice {\n port = \"9000\"\n}"))
        let services = try #require(decoded.taskGroups.first?.services)
        #expect(services.map(\.portLabel) == ["8080", "9000"])
        #expect(services.map(\.name) == ["a", "j-g"])
    }

    @Test("exec and raw_exec args written as numbers become strings, as Nomad converts them")
    func execArgsConverted() throws {
        let decoded = try decode(
            """
            job "j" {
              group "g" {
                task "t" {
                  driver = "exec"
                  config {
                    command = "/bin/server"
                    args    = ["--port", 8080, "--debug", true]
                  }
                }
              }
            }
            """)
        let args = decoded.taskGroups.first?.tasks.first?.config.fields["args"]
        #expect(args == Google_Protobuf_Value(listValue: ["--port", "8080", "--debug", "true"]))
    }

    @Test("service checks: required keys by type, script checks in group services need a task")
    func checkRules() {
        let group = """
            service {
              name = "web"
              check {
                type     = "http"
                interval = "10s"
              }
              check {
                type    = "script"
                command = "/bin/check"
              }
              check {
                type = "tcp"
              }
            }
            """
        #expect(
            errors(job(group: group)) == [
                "job.hcl:7:3: the http check of service \"web\" needs a path, e.g. path = \"/health\"",
                "job.hcl:11:3: the script check of service \"web\" is a script check in a group service and needs "
                    + "task = \"<task to run it in>\"",
                "job.hcl:15:3: the tcp check of service \"web\" needs an interval, e.g. interval = \"10s\"",
            ])
    }

    @Test("connect rules: native needs a task, upstreams need a port, ports are not bound twice")
    func connectRules() {
        let group = """
            network {
              mode = "bridge"
            }
            service {
              name = "a"
              connect {
                native = true
              }
            }
            service {
              name = "b"
              connect {
                sidecar_service {
                  proxy {
                    upstreams {
                      destination_name = "x"
                    }
                    upstreams {
                      destination_name = "y"
                      local_bind_port  = 7000
                    }
                    upstreams {
                      destination_name = "z"
                      local_bind_port  = 7000
                    }
                  }
                }
              }
            }
            """
        #expect(
            errors(job(group: group)) == [
                "job.hcl:8:1: a native connect service needs task = \"<the task that speaks mTLS>\"",
                "job.hcl:19:9: upstream \"x\" needs local_bind_port, the port the proxy listens on for it",
                "job.hcl:28:30: upstreams \"y\" and \"z\" both bind local_bind_port 7000",
            ])
    }

    @Test("template rules and volume_mount propagation modes")
    func templateRules() {
        let task = """
            template {
              data        = "x"
              destination = "local/x"
              change_mode = "signal"
            }
            template {
              destination = "local/y"
            }
            volume_mount {
              volume           = "v"
              destination      = "/v"
              propagation_mode = "shared"
            }
            """
        #expect(
            errors(job(group: "volume \"v\" {\n type = \"host\"\n source = \"v\"\n}", task: task)) == [
                "job.hcl:17:17: a template with change_mode = \"signal\" needs change_signal",
                "job.hcl:19:1: a template needs data (the template text) or source (a file path)",
                "job.hcl:25:22: invalid value for \"propagation_mode\": expected one of \"private\", "
                    + "\"host-to-task\", \"bidirectional\", but got \"shared\"",
            ])
    }

    @Test("resources: cpu and cores are exclusive, memory_max is at least memory")
    func resourceRules() throws {
        #expect(
            errors(job(task: "resources {\n cpu = 500\n cores = 2\n memory = 256\n memory_max = 128\n}")) == [
                "job.hcl:13:10: resources may ask for cpu or cores, not both",
                "job.hcl:15:15: resources memory_max (128) must be at least memory (256)",
            ])
        let cores = try decode(job(task: "resources {\n cores = 2\n}"))
        #expect(cores.taskGroups.first?.tasks.first?.resources.cpuMhz == 0)
        #expect(cores.taskGroups.first?.tasks.first?.resources.cores == 2)
    }

    @Test("unknown keys in nested stanzas name the stanza and list what is allowed")
    func nestedUnknownKeys() {
        #expect(
            errors(job(group: "network {\n port \"http\" {\n statik = 80\n }\n}")) == [
                "job.hcl:7:2: unknown attribute \"statik\" in port \"http\"; expected one of: static, to, host_network"
            ])
        #expect(
            errors(job(task: "logs {\n max_files = 2\n max_size = 5\n}")) == [
                "job.hcl:13:2: unknown attribute \"max_size\" in logs; expected one of: max_files, max_file_size"
            ])
    }

    @Test("a service provider of consul or nomad is accepted, since Caravan has one catalog")
    func serviceProvider() throws {
        let decoded = try decode(job(group: "service {\n provider = \"nomad\"\n}"))
        #expect(decoded.taskGroups.first?.services.count == 1)
        #expect(
            errors(job(group: "service {\n provider = \"etcd\"\n}")) == [
                "job.hcl:6:13: invalid value for \"provider\": expected one of \"consul\", \"nomad\", but got \"etcd\""
            ])
    }

    @Test("a blank or truncated file never crashes the decoder")
    func truncatedInput() throws {
        let full = try JobFixtures.source("everything.hcl").bytes
        var cut = 0
        while cut < full.count {
            let source = SpecSource(filename: "cut.hcl", bytes: Array(full[..<cut]))
            do {
                _ = try JobSpec.decode(source)
            } catch {
                #expect(error.hasErrors)
            }
            cut += 61
        }
        let json = try JobFixtures.decode("everything.hcl").jsonString()
        let jsonBytes = Array(json.utf8)
        cut = 0
        while cut < jsonBytes.count {
            #expect(throws: Diagnostics.self) {
                try JobSpec.decode(SpecSource(filename: "cut.json", bytes: Array(jsonBytes[..<cut])))
            }
            cut += 89
        }
    }
}

@Suite("Job decoding rules: labels")
struct JobSpecLabelTests {
    @Test("a group or task without a name is reported once, by the label check")
    func missingLabels() throws {
        let text = """
            job "j" {
              group {
                task {
                  driver = "raw_exec"
                  config { command = "/bin/true" }
                }
              }
            }
            """
        do {
            _ = try JobSpec.decode(SpecSource(filename: "job.hcl", text: text))
            Issue.record("decoding succeeded")
        } catch {
            #expect(
                error.items.map(\.description) == [
                    "job.hcl:2:3: block \"group\" needs 1 label (name) but has 0; write it as group \"name\" { ... }",
                    "job.hcl:3:5: block \"task\" needs 1 label (name) but has 0; write it as task \"name\" { ... }",
                ])
        }
    }
}
