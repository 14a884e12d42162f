import CaravanProto
import HCL
import Spec
import SwiftProtobuf
import Testing

@Suite("Job fixtures decode field by field")
struct JobSpecFixtureTests {
    let seconds = JobFixtures.duration

    @Test("mysql: a host volume declared in the group and mounted in the task")
    func mysql() throws {
        let job = try JobFixtures.decode("mysql.hcl")
        #expect(job.id == "mysql")
        #expect(job.name == "mysql")
        #expect(job.type == .service)
        #expect(job.datacenters == ["dc1"])
        let group = try #require(job.taskGroups.first)
        #expect(job.taskGroups.count == 1)
        #expect(group.name == "mysql")
        #expect(group.count == 1)
        var volume = Caravan_V1_VolumeRequest()
        volume.name = "mysql"
        volume.type = "host"
        volume.source = "mysql"
        volume.readOnly = false
        #expect(group.volumes == ["mysql": volume])
        #expect(group.networks.count == 1)
        #expect(group.networks[0].mode == "host")
        #expect(group.networks[0].reservedPorts.map(\.label) == ["db"])
        #expect(group.networks[0].reservedPorts.map(\.value) == [3306])
        #expect(group.restartPolicy.attempts == 10)
        #expect(group.restartPolicy.interval == seconds(300))
        #expect(group.restartPolicy.delay == seconds(25))
        #expect(group.restartPolicy.mode == .delay)

        let task = try #require(group.tasks.first)
        #expect(task.name == "mysql")
        #expect(task.driver == "exec")
        var mount = Caravan_V1_VolumeMount()
        mount.volume = "mysql"
        mount.destination = "/var/lib/mysql"
        #expect(task.volumeMounts == [mount])
        #expect(task.env == ["MYSQL_ROOT_PASSWORD": "example"])
        #expect(task.config.fields["command"] == Google_Protobuf_Value(stringValue: "/usr/sbin/mysqld"))
        #expect(
            task.config.fields["args"]
                == Google_Protobuf_Value(listValue: ["--datadir=/var/lib/mysql", "--port=${NOMAD_PORT_db}"]))
        #expect(task.resources.cpuMhz == 500)
        #expect(task.resources.memoryMb == 1024)
        let service = try #require(task.services.first)
        #expect(service.name == "mysql-server")
        #expect(service.portLabel == "db")
        #expect(service.checks.count == 1)
        #expect(service.checks[0].type == .tcp)
        #expect(service.checks[0].interval == seconds(10))
        #expect(service.checks[0].timeout == seconds(2))
    }

    @Test("api: HCL1-style string numbers in a bridge port decode as numbers")
    func apiBridge() throws {
        let job = try JobFixtures.decode("api-bridge.hcl")
        let group = try #require(job.taskGroups.first)
        let network = try #require(group.networks.first)
        #expect(network.mode == "bridge")
        var port = Caravan_V1_Port()
        port.label = "http"
        port.value = 9090
        port.to = 9090
        #expect(network.reservedPorts == [port])
        #expect(network.dynamicPorts.isEmpty)
        #expect(group.services.map(\.name) == ["api"])
        #expect(group.services.map(\.portLabel) == ["9090"])
        #expect(group.tasks.map(\.driver) == ["exec"])
        #expect(group.tasks[0].config.fields["args"] == Google_Protobuf_Value(listValue: ["-listen", ":9090"]))
    }

    @Test("web: a group service with a connect sidecar, an upstream and opaque proxy config")
    func connectUpstreams() throws {
        let job = try JobFixtures.decode("connect-upstreams.hcl")
        let group = try #require(job.taskGroups.first)
        #expect(group.count == 2)
        #expect(group.networks.first?.mode == "bridge")
        #expect(group.networks.first?.dynamicPorts.map(\.to) == [8080, -1])
        let service = try #require(group.services.first)
        #expect(service.name == "web")
        #expect(service.connect.sidecarService.port == "connect-proxy-web")
        #expect(service.tags == ["frontend"])
        #expect(service.connect.hasSidecarService)
        #expect(!service.connect.native)
        let proxy = service.connect.sidecarService.proxy
        var upstream = Caravan_V1_ConnectUpstream()
        upstream.destinationName = "payments"
        upstream.localBindPort = 9091
        #expect(proxy.upstreams == [upstream])
        #expect(
            proxy.config
                == Google_Protobuf_Struct(fields: [
                    "protocol": Google_Protobuf_Value(stringValue: "http"),
                    "connect_timeout_ms": Google_Protobuf_Value(numberValue: 5000),
                ]))
        #expect(group.tasks.first?.env == ["PAYMENTS_ADDR": "http://${NOMAD_UPSTREAM_ADDR_payments}"])
    }

    @Test("pair: exec and raw_exec tasks side by side in one bridge group")
    func mixedDrivers() throws {
        let job = try JobFixtures.decode("mixed-drivers.hcl")
        #expect(job.datacenters == ["dc1", "dc2"])
        let group = try #require(job.taskGroups.first)
        #expect(group.networks.first?.mode == "bridge")
        #expect(group.networks.first?.dynamicPorts.map(\.label) == ["http"])
        #expect(group.tasks.map(\.name) == ["server", "watcher"])
        #expect(group.tasks.map(\.driver) == ["exec", "raw_exec"])
        #expect(group.tasks[0].config.fields["pid_mode"] == Google_Protobuf_Value(stringValue: "private"))
        #expect(group.tasks[0].resources.cpuMhz == 100)
        #expect(group.tasks[0].resources.memoryMb == 300)
        #expect(group.tasks[1].resources.cpuMhz == 50)
        #expect(group.tasks[1].resources.memoryMb == 64)
        #expect(
            group.tasks[1].config.fields["args"]
                == Google_Protobuf_Value(listValue: ["-c", "while true; do date; sleep 5; done"]))
    }

    @Test("nightly-report: a periodic batch job gets batch restart and reschedule defaults")
    func batchPeriodic() throws {
        let job = try JobFixtures.decode("batch-periodic.hcl")
        #expect(job.type == .batch)
        #expect(job.periodic.crons == ["0 3 * * *"])
        #expect(job.periodic.prohibitOverlap)
        #expect(job.periodic.timeZone == "Europe/Berlin")
        #expect(job.periodic.enabled)
        #expect(!job.hasUpdate)
        let group = try #require(job.taskGroups.first)
        #expect(!group.hasUpdate)
        #expect(!group.hasMigrate)
        #expect(group.restartPolicy.attempts == 3)
        #expect(group.restartPolicy.interval == seconds(86400))
        #expect(group.restartPolicy.delay == seconds(15))
        #expect(group.restartPolicy.mode == .fail)
        #expect(group.reschedulePolicy.attempts == 1)
        #expect(group.reschedulePolicy.interval == seconds(86400))
        #expect(group.reschedulePolicy.delay == seconds(5))
        #expect(group.reschedulePolicy.delayFunction == .constant)
        #expect(!group.reschedulePolicy.unlimited)
        #expect(group.tasks.first?.killTimeout == seconds(30))
    }

    @Test("video-encode: a parameterized batch job with a dispatch payload file")
    func parameterized() throws {
        let job = try JobFixtures.decode("parameterized.hcl")
        #expect(job.type == .batch)
        #expect(job.parameterized.payload == .required)
        #expect(job.parameterized.metaRequired == ["input"])
        #expect(job.parameterized.metaOptional == ["profile"])
        let task = try #require(job.taskGroups.first?.tasks.first)
        #expect(task.dispatchPayload.file == "job.json")
        #expect(
            task.config.fields["args"]
                == Google_Protobuf_Value(listValue: ["-i", "${NOMAD_META_input}", "-preset", "${NOMAD_META_profile}"]))
    }

    @Test("node-exporter: a system job has no reschedule policy and keeps its own update block")
    func system() throws {
        let job = try JobFixtures.decode("system.hcl")
        #expect(job.type == .system)
        #expect(job.priority == 80)
        #expect(job.datacenters == ["*"])
        var constraint = Caravan_V1_Constraint()
        constraint.lTarget = "${attr.kernel.name}"
        constraint.rTarget = "linux"
        constraint.operand = "="
        #expect(job.constraints == [constraint])
        #expect(job.update.maxParallel == 2)
        #expect(job.update.stagger == seconds(15))
        #expect(job.update.healthCheck == "checks")
        let group = try #require(job.taskGroups.first)
        #expect(!group.hasReschedulePolicy)
        #expect(!group.hasMigrate)
        #expect(group.update == job.update)
        #expect(group.restartPolicy.attempts == 2)
        #expect(group.restartPolicy.interval == seconds(1800))
        let service = try #require(group.tasks.first?.services.first)
        #expect(service.name == "node-exporter-exporter-exporter")
        #expect(service.checks.first?.name == "service: \"node-exporter-exporter-exporter\" check")
        #expect(service.checks.first?.path == "/metrics")
    }

    @Test("cache: variables, locals, functions and for expressions are evaluated")
    func variables() throws {
        let job = try JobFixtures.decode(
            "variables.hcl", variables: VariableInputs(environment: ["CARAVAN_VAR_image_version": "72"]))
        #expect(job.datacenters == ["dc1"])
        #expect(job.meta == ["team": "platform", "tier": "BACKEND"])
        let group = try #require(job.taskGroups.first)
        #expect(group.count == 2)
        let task = try #require(group.tasks.first)
        #expect(task.resources.memoryMb == 256)
        #expect(
            task.config.fields["args"] == Google_Protobuf_Value(listValue: ["--port", "6379", "--maxmemory", "256mb"]))
        #expect(task.services.first?.name == "cache-72")
        #expect(task.services.first?.tags == ["dc-dc1"])

        let overridden = try JobFixtures.decode(
            "variables.hcl",
            variables: VariableInputs(assignments: ["image_version=8", "replicas=3", "datacenters=[\"a\", \"b\"]"]))
        #expect(overridden.taskGroups.first?.count == 3)
        #expect(overridden.datacenters == ["a", "b"])
        #expect(overridden.taskGroups.first?.tasks.first?.resources.memoryMb == 384)
        #expect(overridden.taskGroups.first?.tasks.first?.services.first?.tags == ["dc-a", "dc-b"])
    }

    @Test("cache: a required variable left unset is a positioned error")
    func missingVariable() throws {
        #expect(throws: Diagnostics.self) { try JobFixtures.decode("variables.hcl") }
    }
}
