import ClientDrivers
import SwiftProtobuf
import Testing

@Suite("driver config parsing")
struct ParseConfigTests {
    let drivers: [any TaskDriver] = [
        ExecDriver(executorPath: "/nonexistent"), RawExecDriver(enabled: true, executorPath: "/nonexistent"),
    ]

    private func config(_ fields: [String: Google_Protobuf_Value]) -> Google_Protobuf_Struct {
        Google_Protobuf_Struct(fields: fields)
    }

    @Test("command, args and work_dir are read; scalar args become strings")
    func valid() throws {
        for driver in drivers {
            let parsed = try driver.parseConfig(
                config([
                    "command": .init(stringValue: "/bin/app"),
                    "args": .init(listValue: ["-p", .init(numberValue: 8080), .init(boolValue: true)]),
                    "work_dir": .init(stringValue: "/local"),
                ]))
            #expect(parsed == DriverTaskConfig(command: "/bin/app", args: ["-p", "8080", "true"], workDir: "/local"))
        }
    }

    @Test(
        "mistakes are reported precisely",
        arguments: [
            (["args": Google_Protobuf_Value(listValue: [])], "config is missing \"command\" (the program to run)"),
            (["command": Google_Protobuf_Value(stringValue: " ")], "\"command\" must not be empty"),
            (["command": Google_Protobuf_Value(numberValue: 3)], "\"command\" must be a string, not a number"),
            (
                ["command": Google_Protobuf_Value(stringValue: "x"), "args": .init(stringValue: "-v")],
                "\"args\" must be a list of strings, not a string"
            ),
            (
                [
                    "command": Google_Protobuf_Value(stringValue: "x"),
                    "args": .init(listValue: ["a", .init(listValue: [])]),
                ],
                "\"args\"[1] must be a string, not a list"
            ),
            (
                ["command": Google_Protobuf_Value(stringValue: "x"), "work_dir": .init(boolValue: false)],
                "\"work_dir\" must be a string, not a bool"
            ),
        ])
    func invalid(fields: [String: Google_Protobuf_Value], message: String) {
        for driver in drivers {
            #expect(throws: DriverError.invalidConfig("\(driver.name): \(message)")) {
                try driver.parseConfig(config(fields))
            }
        }
    }

    @Test("unknown keys are named with the driver's valid keys; exec's pid_mode and ipc_mode may only be private")
    func unknownKeysAndNamespaceModes() throws {
        let exec = ExecDriver(executorPath: "/nonexistent")
        let raw = RawExecDriver(enabled: true, executorPath: "/nonexistent")
        let foo: [String: Google_Protobuf_Value] = ["command": .init(stringValue: "x"), "foo": .init(stringValue: "y")]
        #expect(
            throws: DriverError.invalidConfig(
                "exec: unknown key \"foo\" in config (valid keys: command, args, work_dir, pid_mode, ipc_mode)")
        ) { try exec.parseConfig(config(foo)) }
        #expect(
            throws: DriverError.invalidConfig(
                "raw_exec: unknown key \"foo\" in config (valid keys: command, args, work_dir)")
        ) { try raw.parseConfig(config(foo)) }
        let privatePID: [String: Google_Protobuf_Value] = [
            "command": .init(stringValue: "x"), "pid_mode": .init(stringValue: "private"),
        ]
        #expect(try exec.parseConfig(config(privatePID)).command == "x")
        let hostPID: [String: Google_Protobuf_Value] = [
            "command": .init(stringValue: "x"), "pid_mode": .init(stringValue: "host"),
        ]
        #expect(
            throws: DriverError.invalidConfig(
                "exec: \"pid_mode\" may only be \"private\": exec tasks always get their own namespace")
        ) { try exec.parseConfig(config(hostPID)) }
    }
}
