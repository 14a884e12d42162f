import CaravanProto
import Testing

@testable import ClientAgent

@Suite("Task environment")
struct TaskEnvironmentTests {
    private func build(
        task: Caravan_V1_Task? = nil, directories: TaskEnvironment.Directories = .chroot,
        host: [String: String] = [:], templates: [String: String] = [:],
        allocation: Caravan_V1_Allocation = fixtureAllocation()
    ) -> [String: String] {
        let task = task ?? allocation.job.taskGroups[0].tasks[0]
        return TaskEnvironment.build(
            allocation: allocation, task: task, node: fixtureNode(), region: "global", directories: directories,
            hostEnvironment: host, templateEnvironment: templates
        ).variables
    }

    @Test("identity, directories and limits are set as Nomad sets them")
    func identity() {
        let env = build()
        #expect(env["NOMAD_ALLOC_DIR"] == "/alloc")
        #expect(env["NOMAD_TASK_DIR"] == "/local")
        #expect(env["NOMAD_SECRETS_DIR"] == "/secrets")
        #expect(env["TMPDIR"] == "/tmp")
        #expect(env["NOMAD_ALLOC_ID"] == "3c7a1d2e-9f4b-4c1a-8e2d-1234567890ab")
        #expect(env["NOMAD_SHORT_ALLOC_ID"] == "3c7a1d2e")
        #expect(env["NOMAD_ALLOC_NAME"] == "api.web[2]")
        #expect(env["NOMAD_ALLOC_INDEX"] == "2")
        #expect(env["NOMAD_JOB_ID"] == "api")
        #expect(env["NOMAD_JOB_NAME"] == "api-name")
        #expect(env["NOMAD_JOB_PARENT_ID"] == nil)
        #expect(env["NOMAD_GROUP_NAME"] == "web")
        #expect(env["NOMAD_TASK_NAME"] == "server")
        #expect(env["NOMAD_DC"] == "dc1")
        #expect(env["NOMAD_REGION"] == "global")
        #expect(env["NOMAD_NAMESPACE"] == "default")
        #expect(env["NOMAD_CPU_LIMIT"] == "250")
        #expect(env["NOMAD_CPU_CORES"] == "0-1,3")
        #expect(env["NOMAD_MEMORY_LIMIT"] == "128")
        #expect(env["NOMAD_MEMORY_MAX_LIMIT"] == "256")
        #expect(env["PATH"] == TaskEnvironment.defaultPath)
        #expect(env["HOME"] == nil)
    }

    @Test("raw_exec tasks get host paths, and the task's request when nothing was allocated")
    func hostPathsAndFallbackLimits() {
        var allocation = fixtureAllocation()
        allocation.allocatedResources.tasks = [:]
        allocation.job.parentID = "api-periodic"
        let directories = TaskEnvironment.Directories(
            allocDir: "/var/lib/caravan/alloc/a1/alloc", taskDir: "/var/lib/caravan/alloc/a1/server/local",
            secretsDir: "/var/lib/caravan/alloc/a1/server/secrets", tmpDir: nil)
        let env = build(directories: directories, allocation: allocation)
        #expect(env["NOMAD_ALLOC_DIR"] == "/var/lib/caravan/alloc/a1/alloc")
        #expect(env["NOMAD_TASK_DIR"] == "/var/lib/caravan/alloc/a1/server/local")
        #expect(env["TMPDIR"] == nil)
        #expect(env["NOMAD_CPU_LIMIT"] == "100")
        #expect(env["NOMAD_MEMORY_LIMIT"] == "64")
        #expect(env["NOMAD_MEMORY_MAX_LIMIT"] == nil)
        #expect(env["NOMAD_CPU_CORES"] == nil)
        #expect(env["NOMAD_JOB_PARENT_ID"] == "api-periodic")
    }

    @Test("meta is merged job < group < task and exported upper-cased and as written")
    func meta() {
        let env = build()
        #expect(env["NOMAD_META_TIER"] == "group-tier")
        #expect(env["NOMAD_META_tier"] == "group-tier")
        #expect(env["NOMAD_META_OWNER"] == "task-team")
        #expect(env["NOMAD_META_owner"] == "task-team")
        #expect(env["NOMAD_META_VERSION"] == "v1")
        #expect(env["NOMAD_META_version"] == "v1")
        // Characters not allowed in a variable name become "_".
        #expect(env["NOMAD_META_MY_KEY_X"] == "dotted")
        #expect(env["NOMAD_META_my_key_x"] == "dotted")
    }

    @Test("ports: NOMAD_PORT_ is the mapped port, the host variables name the host side")
    func ports() {
        let env = build()
        #expect(env["NOMAD_PORT_http"] == "8080")
        #expect(env["NOMAD_HOST_PORT_http"] == "23456")
        #expect(env["NOMAD_IP_http"] == "10.0.0.7")
        #expect(env["NOMAD_HOST_IP_http"] == "10.0.0.7")
        #expect(env["NOMAD_ADDR_http"] == "10.0.0.7:23456")
        #expect(env["NOMAD_HOST_ADDR_http"] == "10.0.0.7:23456")
        #expect(env["NOMAD_ALLOC_PORT_http"] == "8080")
        #expect(env["NOMAD_PORT_admin"] == "9090")
        #expect(env["NOMAD_HOST_PORT_admin"] == "9090")
    }

    @Test("bridge mode: NOMAD_ALLOC_IP is the allocation's address; NOMAD_ALLOC_ADDR_ pairs it with the inside port")
    func allocAddress() {
        let allocation = fixtureAllocation()
        let env = TaskEnvironment.build(
            allocation: allocation, task: allocation.job.taskGroups[0].tasks[0], node: fixtureNode(), region: "global",
            directories: .chroot, allocAddress: "172.26.64.9"
        ).variables
        #expect(env["NOMAD_ALLOC_IP"] == "172.26.64.9")
        #expect(env["NOMAD_ALLOC_IP_http"] == "172.26.64.9")
        #expect(env["NOMAD_ALLOC_ADDR_http"] == "172.26.64.9:8080")
        #expect(env["NOMAD_HOST_ADDR_http"] == "10.0.0.7:23456")
        // Host mode has no address of its own.
        #expect(build()["NOMAD_ALLOC_IP"] == nil)
        #expect(build()["NOMAD_ALLOC_ADDR_http"] == nil)
    }

    @Test("IPv6 addresses are bracketed")
    func ipv6() {
        var allocation = fixtureAllocation()
        allocation.allocatedResources.shared.networks[0].ports[0].hostIp = "fd00::7"
        let env = build(allocation: allocation)
        #expect(env["NOMAD_ADDR_http"] == "[fd00::7]:23456")
    }

    @Test("the task's env is interpolated and overrides; templates override the task; host fills gaps only")
    func precedence() {
        var task = fixtureAllocation().job.taskGroups[0].tasks[0]
        task.env = [
            "LISTEN": "${NOMAD_IP_http}:${NOMAD_PORT_http}", "DC": "in ${node.datacenter} on ${attr.kernel.name}",
            "RACK": "${meta.rack}", "NOMAD_DC": "overridden", "UNKNOWN": "${nope}", "FROM_TEMPLATE": "task",
            "PATH": "/opt/bin",
        ]
        let env = build(
            task: task, host: ["HOST_ONLY": "h", "NOMAD_TASK_NAME": "host-must-not-win", "LANG": "${NOMAD_DC}"],
            templates: ["FROM_TEMPLATE": "template"])
        #expect(env["LISTEN"] == "10.0.0.7:8080")
        #expect(env["DC"] == "in dc1 on linux")
        #expect(env["RACK"] == "r42")
        #expect(env["NOMAD_DC"] == "overridden")
        #expect(env["UNKNOWN"] == "${nope}")
        #expect(env["FROM_TEMPLATE"] == "template")
        #expect(env["PATH"] == "/opt/bin")
        #expect(env["HOST_ONLY"] == "h")
        #expect(env["NOMAD_TASK_NAME"] == "server")
        #expect(env["LANG"] == "dc1")
    }

    @Test("allocation index parsing", arguments: [("api.web[0]", 0), ("a.b[12]", 12), ("weird", 0), ("x[y]", 0)])
    func allocationIndex(name: String, index: Int) {
        #expect(TaskEnvironment.allocationIndex(name: name) == index)
    }

    @Test("cpusets are written as ranges")
    func cpuSets() {
        #expect(formatCPUSet([0, 1, 2, 5]) == "0-2,5")
        #expect(formatCPUSet([7]) == "7")
        #expect(formatCPUSet([4, 2, 3, 9, 10]) == "2-4,9-10")
    }

    @Test("the list form is sorted NAME=value")
    func list() {
        let env = TaskEnvironment(variables: ["B": "2", "A": "1"], nodeValues: [:])
        #expect(env.list == ["A=1", "B=2"])
    }
}
