import CaravanProto
import HCL
import Spec
import SwiftProtobuf
import Testing

@Suite("Job fixture with every stanza decodes field by field")
struct JobSpecEverythingTests {
    let seconds = JobFixtures.duration
    let job: Caravan_V1_Job
    let group: Caravan_V1_TaskGroup

    init() throws {
        job = try JobFixtures.decode("everything.hcl")
        group = try #require(job.taskGroups.first)
    }

    func task(_ name: String) throws -> Caravan_V1_Task {
        try #require(group.tasks.first { $0.name == name })
    }

    @Test("job attributes, meta and placement")
    func jobLevel() {
        #expect(job.id == "shop")
        #expect(job.name == "shop-frontend")
        #expect(job.type == .service)
        #expect(job.region == "eu")
        #expect(job.namespace == "retail")
        #expect(job.nodePool == "web")
        #expect(job.datacenters == ["eu-west-1a", "eu-west-1b"])
        #expect(job.priority == 70)
        #expect(!job.allAtOnce)
        #expect(job.meta == ["owner": "team-shop", "cost": "42"])
        #expect(job.constraints.map(\.operand) == ["=", "distinct_hosts", "version"])
        #expect(job.constraints[2].lTarget == "${attr.os.version}")
        #expect(job.constraints[2].rTarget == ">= 22.04")
        #expect(job.affinities.map(\.weight) == [75])
        #expect(job.affinities[0].rTarget == "eu-west-1a")
        #expect(job.spreads.count == 1)
        #expect(job.spreads[0].weight == 100)
        #expect(job.spreads[0].targets.map(\.value) == ["eu-west-1a", "eu-west-1b"])
        #expect(job.spreads[0].targets.map(\.percent) == [60, 40])
    }

    @Test("job update fills defaults; the group update lays its keys over the job's")
    func update() {
        #expect(job.update.maxParallel == 2)
        #expect(job.update.minHealthyTime == seconds(15))
        #expect(job.update.healthyDeadline == seconds(240))
        #expect(job.update.progressDeadline == seconds(480))
        #expect(job.update.autoRevert)
        #expect(job.update.canary == 1)
        #expect(job.update.stagger == seconds(30))
        #expect(job.update.healthCheck == "checks")
        var expected = job.update
        expected.canary = 2
        expected.autoPromote = true
        #expect(group.update == expected)
    }

    @Test("group policies: restart over type defaults, reschedule, migrate, ephemeral disk")
    func policies() {
        #expect(group.count == 3)
        #expect(group.restartPolicy.attempts == 0)
        #expect(group.restartPolicy.interval == seconds(1800))
        #expect(group.restartPolicy.delay == seconds(15))
        #expect(group.restartPolicy.mode == .fail)
        var reschedule = Caravan_V1_ReschedulePolicy()
        reschedule.attempts = 5
        reschedule.interval = seconds(3600)
        reschedule.delay = seconds(10)
        reschedule.delayFunction = .fibonacci
        reschedule.maxDelay = seconds(120)
        reschedule.unlimited = false
        #expect(group.reschedulePolicy == reschedule)
        #expect(group.migrate.maxParallel == 2)
        #expect(group.migrate.healthCheck == "task_states")
        #expect(group.migrate.minHealthyTime == seconds(20))
        #expect(group.migrate.healthyDeadline == seconds(180))
        #expect(group.ephemeralDisk.sizeMb == 500)
        #expect(group.ephemeralDisk.sticky)
        #expect(group.ephemeralDisk.migrate)
        #expect(group.shutdownDelay == seconds(5))
        #expect(group.stopAfterClientDisconnect == seconds(120))
        #expect(group.meta == ["tier": "web"])
        #expect(group.constraints.first?.operand == "distinct_property")
        #expect(group.constraints.first?.lTarget == "${meta.rack}")
        #expect(group.constraints.first?.rTarget == "2")
        #expect(group.affinities.first?.operand == "=")
        #expect(group.affinities.first?.weight == -20)
        #expect(group.spreads.first?.weight == 50)
    }

    @Test("network with static, mapped and dynamic ports, dns, and host volumes")
    func network() throws {
        let network = try #require(group.networks.first)
        #expect(group.networks.count == 1)
        #expect(network.mode == "bridge")
        #expect(network.hostname == "frontend")
        #expect(network.mbits == 10)
        #expect(network.reservedPorts.map(\.label) == ["admin"])
        #expect(network.reservedPorts.first?.value == 9901)
        #expect(network.reservedPorts.first?.hostNetwork == "private")
        // The sidecar's public port is added as Nomad adds it: dynamic, mapped to the same port inside.
        #expect(network.dynamicPorts.map(\.label) == ["http", "metrics", "connect-proxy-shop"])
        #expect(network.dynamicPorts.map(\.to) == [8080, -1, -1])
        #expect(network.dns.servers == ["10.0.0.2"])
        #expect(network.dns.searches == ["service.consul"])
        #expect(network.dns.options == ["ndots:2"])
        #expect(group.volumes.keys.sorted() == ["assets", "cache"])
        #expect(group.volumes["assets"]?.source == "shop-assets")
        #expect(group.volumes["assets"]?.readOnly == true)
        #expect(group.volumes["cache"]?.readOnly == false)
    }

    @Test("group service with checks of every type")
    func serviceAndChecks() throws {
        let service = try #require(group.services.first)
        #expect(service.name == "shop")
        #expect(service.portLabel == "http")
        #expect(service.tags == ["web", "v2"])
        #expect(service.canaryTags == ["canary"])
        #expect(service.addressMode == .alloc)
        #expect(service.taskName == "app")
        #expect(service.meta == ["version": "2"])
        #expect(service.checks.map(\.type) == [.http, .script, .grpc])
        let http = service.checks[0]
        #expect(http.name == "shop-health")
        #expect(http.path == "/health")
        #expect(http.protocol == "http")
        #expect(http.method == "GET")
        #expect(http.interval == seconds(10))
        #expect(http.timeout == seconds(2))
        #expect(http.expose)
        #expect(http.initialStatus == "warning")
        #expect(http.header["Accept"]?.values == ["application/json"])
        #expect(http.header["X-Shop"]?.values == ["probe"])
        #expect(http.checkRestart.limit == 3)
        #expect(http.checkRestart.grace == seconds(30))
        #expect(http.checkRestart.ignoreWarnings)
        let script = service.checks[1]
        #expect(script.command == "/bin/check-db")
        #expect(script.args == ["--quick"])
        #expect(script.taskName == "app")
        let grpc = service.checks[2]
        #expect(grpc.name == "service: \"shop\" check")
        #expect(grpc.portLabel == "metrics")
        #expect(grpc.grpcService == "shop.Health")
    }

    @Test("connect sidecar service, proxy, upstreams, expose and sidecar task")
    func connect() throws {
        let connect = try #require(group.services.first?.connect)
        let sidecar = connect.sidecarService
        #expect(sidecar.tags == ["proxy"])
        let proxy = sidecar.proxy
        #expect(proxy.localServiceAddress == "127.0.0.1")
        #expect(proxy.localServicePort == 8080)
        #expect(proxy.upstreams.map(\.destinationName) == ["payments", "inventory"])
        #expect(proxy.upstreams.map(\.localBindPort) == [9091, 9092])
        #expect(proxy.upstreams[0].datacenter == "eu-west-1b")
        #expect(proxy.upstreams[0].localBindAddress == "127.0.0.2")
        #expect(proxy.upstreams[0].destinationNamespace == "billing")
        #expect(proxy.upstreams[0].meshGateway == .local)
        var exposed = Caravan_V1_ExposePath()
        exposed.path = "/health"
        exposed.protocol = "http"
        exposed.localPathPort = 8080
        exposed.listenerPort = "metrics"
        #expect(proxy.expose.paths == [exposed])
        #expect(proxy.config.fields["protocol"] == Google_Protobuf_Value(stringValue: "http"))
        #expect(
            proxy.config.fields["limits"]
                == Google_Protobuf_Value(
                    structValue: Google_Protobuf_Struct(fields: [
                        "max_connections": Google_Protobuf_Value(numberValue: 512)
                    ])
                ))
        let task = connect.sidecarTask
        #expect(task.driver == "exec")
        #expect(task.user == "proxy")
        #expect(task.config.fields["command"] == Google_Protobuf_Value(stringValue: "/usr/local/bin/proxyd"))
        #expect(task.resources.cpuMhz == 250)
        #expect(task.resources.memoryMb == 128)
        #expect(task.env == ["LOG_LEVEL": "debug"])
        #expect(task.meta == ["role": "sidecar"])
        #expect(task.logs.maxFiles == 2)
        #expect(task.logs.maxFileSizeMb == 5)
        #expect(task.killTimeout == seconds(10))
        #expect(task.killSignal == "SIGTERM")
        #expect(task.shutdownDelay == seconds(1))
    }

    @Test("the docker task: config passes unchecked, resources, logs, artifacts, templates, mounts, restart")
    func appTask() throws {
        let app = try task("app")
        #expect(app.driver == "docker")
        #expect(app.user == "shop")
        #expect(app.leader)
        #expect(app.killTimeout == seconds(20))
        #expect(app.killSignal == "SIGTERM")
        #expect(app.shutdownDelay == seconds(3))
        #expect(app.config.fields["image"] == Google_Protobuf_Value(stringValue: "registry.example.com/shop:2.4.1"))
        #expect(app.config.fields["args"] == Google_Protobuf_Value(listValue: ["--port", 8080]))
        #expect(
            app.config.fields["mount"]?.structValue.fields["target"] == Google_Protobuf_Value(stringValue: "/etc/shop"))
        #expect(app.env == ["SHOP_MODE": "production", "PORT": "${NOMAD_PORT_http}"])
        #expect(app.meta == ["release": "2.4.1"])
        #expect(app.constraints.map(\.operand) == ["set_contains_any"])
        #expect(app.affinities.map(\.operand) == ["regexp"])
        #expect(app.affinities.first?.rTarget == "^web-")
        #expect(app.resources.cpuMhz == 750)
        #expect(app.resources.memoryMb == 512)
        #expect(app.resources.memoryMaxMb == 1024)
        #expect(app.logs.maxFiles == 4)
        #expect(app.logs.maxFileSizeMb == 20)

        var artifact = Caravan_V1_TaskArtifact()
        artifact.getterSource = "https://downloads.example.com/shop/assets.tar.gz"
        artifact.relativeDest = "local/assets"
        artifact.getterMode = "dir"
        artifact.getterOptions = ["checksum": "sha256:0123abcd"]
        artifact.getterHeaders = ["Authorization": "Bearer token"]
        #expect(app.artifacts == [artifact])

        #expect(app.templates.count == 2)
        let inline = app.templates[0]
        #expect(
            inline.embeddedTmpl
                == "listen = \"{{ env \"NOMAD_PORT_http\" }}\"\n"
                + "payments = \"{{ range service \"payments\" }}{{ .Address }}{{ end }}\"\n")
        #expect(inline.destPath == "local/config/shop.toml")
        #expect(inline.changeMode == .signal)
        #expect(inline.changeSignal == "SIGHUP")
        #expect(inline.splay == seconds(10))
        #expect(inline.perms == "0600")
        #expect(inline.leftDelimiter == "{{")
        let file = app.templates[1]
        #expect(file.sourcePath == "local/assets/env.tpl")
        #expect(file.envvars)
        #expect(file.changeMode == .noop)
        #expect(file.splay == seconds(5))
        #expect(file.perms == "0644")
        #expect(file.leftDelimiter == "[[")
        #expect(file.rightDelimiter == "]]")

        #expect(app.volumeMounts.map(\.volume) == ["assets", "cache"])
        #expect(app.volumeMounts[0].propagationMode == .hostToTask)
        #expect(app.volumeMounts[0].readOnly)
        #expect(app.volumeMounts[1].propagationMode == .unspecified)

        var restart = group.restartPolicy
        restart.attempts = 4
        restart.delay = seconds(5)
        #expect(app.restartPolicy == restart)

        let admin = try #require(app.services.first)
        #expect(admin.name == "shop-admin")
        #expect(admin.portLabel == "admin")
        #expect(admin.addressMode == .host)
        #expect(admin.checks.map(\.type) == [.tcp])
    }

    @Test("lifecycle hooks and dispatch_payload; tasks without restart use the group's")
    func lifecycleTasks() throws {
        let migrate = try task("migrate-db")
        #expect(migrate.lifecycle.hook == .prestart)
        #expect(!migrate.lifecycle.sidecar)
        #expect(!migrate.hasRestartPolicy)
        #expect(migrate.killTimeout == seconds(5))
        #expect(migrate.logs.maxFiles == 10)
        #expect(migrate.logs.maxFileSizeMb == 10)
        let shipper = try task("log-shipper")
        #expect(shipper.lifecycle.hook == .poststart)
        #expect(shipper.lifecycle.sidecar)
        #expect(shipper.dispatchPayload.file == "input.txt")
        #expect(group.tasks.map(\.name) == ["migrate-db", "app", "log-shipper"])
    }
}
