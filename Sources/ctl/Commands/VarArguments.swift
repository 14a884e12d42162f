import CaravanRPC
import Foundation
import State

/// Reads `ctl var` arguments into what a request needs, checked with the servers' own rules before dialing.
enum VarArguments {
    /// Items from `KEY=VALUE` arguments; `KEY=@FILE` takes the value from a file, as `nomad var put` does.
    static func items(
        _ arguments: [String],
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> [String: String] {
        var items: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw VarUsageError("\"\(argument)\" is not an item: write KEY=VALUE")
            }
            let key = String(argument[..<equals])
            var value = String(argument[argument.index(after: equals)...])
            guard !key.isEmpty else { throw VarUsageError("item \"\(argument)\" has an empty key: write KEY=VALUE") }
            guard items[key] == nil else { throw VarUsageError("item key \"\(key)\" is given twice") }
            if value.hasPrefix("@") {
                let file = String(value.dropFirst())
                guard !file.isEmpty else {
                    throw VarUsageError("item \"\(key)\": \"@\" needs a file name, as KEY=@FILE")
                }
                do {
                    value = try readFile(file)
                } catch {
                    throw VarUsageError("item \"\(key)\": cannot read \(file): \(error.localizedDescription)")
                }
            }
            items[key] = value
        }
        return items
    }

    /// Checks a put locally with the servers' rules (path, namespace, items), so mistakes are caught offline.
    static func checkPut(path: String, namespace: String, items: [String: String]) throws {
        try asUsage { try VariableValidation.validatePut(path: path, namespace: namespace, items: items) }
    }

    /// Checks a path and namespace locally.
    static func checkAddress(path: String, namespace: String) throws {
        try asUsage { try VariableValidation.validateAddress(path: path, namespace: namespace) }
    }

    static func asUsage(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CaravanError {
            throw VarUsageError(error.message)
        }
    }
}
