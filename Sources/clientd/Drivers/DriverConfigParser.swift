import SwiftProtobuf

/// Reads the `config { command, args, work_dir }` block that exec and raw_exec share; exec also takes Nomad's
/// `pid_mode` and `ipc_mode`, which may only say "private" (its tasks always get their own namespaces).
enum DriverConfigParser {
    static let sharedKeys = ["command", "args", "work_dir"]
    static let namespaceKeys = ["pid_mode", "ipc_mode"]

    static func parse(_ config: Google_Protobuf_Struct, driver: String) throws(DriverError) -> DriverTaskConfig {
        let validKeys = driver == "exec" ? sharedKeys + namespaceKeys : sharedKeys
        for key in namespaceKeys where validKeys.contains(key) {
            guard let value = config.fields[key] else { continue }
            guard case .stringValue(let mode) = value.kind, mode.isEmpty || mode == "private" else {
                throw .invalidConfig(
                    "\(driver): \"\(key)\" may only be \"private\": exec tasks always get their own namespace")
            }
        }
        if let unknown = config.fields.keys.sorted().first(where: { !validKeys.contains($0) }) {
            throw .invalidConfig(
                "\(driver): unknown key \"\(unknown)\" in config (valid keys: \(validKeys.joined(separator: ", ")))")
        }
        guard let commandValue = config.fields["command"] else {
            throw .invalidConfig("\(driver): config is missing \"command\" (the program to run)")
        }
        guard case .stringValue(let command) = commandValue.kind else {
            throw .invalidConfig("\(driver): \"command\" must be a string, not \(typeName(commandValue))")
        }
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidConfig("\(driver): \"command\" must not be empty")
        }
        var args: [String] = []
        if let argsValue = config.fields["args"] {
            guard case .listValue(let list) = argsValue.kind else {
                throw .invalidConfig("\(driver): \"args\" must be a list of strings, not \(typeName(argsValue))")
            }
            for (index, element) in list.values.enumerated() {
                // HCL writes `args = ["-p", 8080]`; like Nomad, scalars become their string form.
                switch element.kind {
                case .stringValue(let text): args.append(text)
                case .numberValue(let number):
                    args.append(
                        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number))
                case .boolValue(let flag): args.append(String(flag))
                default:
                    throw .invalidConfig("\(driver): \"args\"[\(index)] must be a string, not \(typeName(element))")
                }
            }
        }
        var workDir = ""
        if let workDirValue = config.fields["work_dir"] {
            guard case .stringValue(let text) = workDirValue.kind else {
                throw .invalidConfig("\(driver): \"work_dir\" must be a string, not \(typeName(workDirValue))")
            }
            workDir = text
        }
        return DriverTaskConfig(command: command, args: args, workDir: workDir)
    }

    private static func typeName(_ value: Google_Protobuf_Value) -> String {
        switch value.kind {
        case .nullValue, .none: "null"
        case .numberValue: "a number"
        case .stringValue: "a string"
        case .boolValue: "a bool"
        case .structValue: "a map"
        case .listValue: "a list"
        }
    }
}
