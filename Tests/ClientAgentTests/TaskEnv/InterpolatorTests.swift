import CaravanProto
import SwiftProtobuf
import Testing

@testable import ClientAgent

@Suite("Interpolation")
struct InterpolatorTests {
    private let environment = TaskEnvironment.build(
        allocation: fixtureAllocation(), task: fixtureAllocation().job.taskGroups[0].tasks[0], node: fixtureNode(),
        region: "europe", directories: .chroot)

    @Test(
        "references resolve; unknown ones stay as written",
        arguments: [
            ("${NOMAD_ALLOC_DIR}/logs", "/alloc/logs"),
            ("--bind=${NOMAD_ADDR_http}", "--bind=10.0.0.7:23456"),
            ("${env[\"NOMAD_TASK_NAME\"]}", "server"),
            ("${attr.kernel.name}-${attr.cpu.arch}", "linux-amd64"),
            ("${node.unique.id}", "node-uuid"),
            ("${node.unique.name}", "worker-7"),
            ("${node.datacenter}", "dc1"),
            ("${node.region}", "europe"),
            ("${node.class}", "web"),
            ("${node.pool}", "default"),
            ("${meta.rack}", "r42"),
            ("${meta.missing}", "${meta.missing}"),
            ("${attr.nope}", "${attr.nope}"),
            ("${env[\"NOPE\"]}", "${env[\"NOPE\"]}"),
            ("$NOMAD_TASK_NAME and ${ unclosed", "$NOMAD_TASK_NAME and ${ unclosed"),
            ("${has space}", "${has space}"),
            ("${}", "${}"),
            ("no references", "no references"),
            ("${NOMAD_TASK_NAME}${NOMAD_GROUP_NAME}", "serverweb"),
        ])
    func references(input: String, expected: String) {
        #expect(environment.interpolate(input) == expected)
    }

    @Test("every string in a driver config is interpolated, at any depth; other values and keys are kept")
    func driverConfig() throws {
        let config = try Google_Protobuf_Struct(
            jsonString: """
                {"command": "${NOMAD_TASK_DIR}/bin/app",
                 "args": ["--port", "${NOMAD_PORT_http}", 3, true, null, {"dc": "${node.datacenter}"}],
                 "nested": {"${NOMAD_TASK_NAME}": {"deeper": "${meta.rack}"}},
                 "count": 2}
                """)
        let result = environment.interpolator.interpolate(config)
        let expected = try Google_Protobuf_Struct(
            jsonString: """
                {"command": "/local/bin/app",
                 "args": ["--port", "8080", 3, true, null, {"dc": "dc1"}],
                 "nested": {"${NOMAD_TASK_NAME}": {"deeper": "r42"}},
                 "count": 2}
                """)
        #expect(result == expected)
    }

    @Test("a map's values are interpolated")
    func mapValues() {
        #expect(environment.interpolator.interpolate(["A": "${NOMAD_DC}"]) == ["A": "dc1"])
    }
}
