import ArgumentParser
import CaravanProto

/// Reads intention arguments (service names, `k=v` pairs, `SRC DST` or `ID`) into request fields before dialing.
enum IntentionArguments {
    /// A service as the intention verbs name it: `web`, `*`, or `NAMESPACE/web`.
    struct Service: Equatable {
        var namespace = ""
        var name: String
    }

    static func service(_ text: String, role: String) throws -> Service {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1 where !text.isEmpty:
            return Service(name: text)
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            return Service(namespace: parts[0], name: parts[1])
        default:
            throw ValidationError("\(role) \"\(text)\" is not a service: write NAME, * or NAMESPACE/NAME")
        }
    }

    /// `KEY=VALUE` pairs of a repeatable flag such as `-meta`; a key may appear once.
    static func pairs(_ arguments: [String], flag: String) throws -> [String: String] {
        var pairs: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("\(flag) \"\(argument)\" is not KEY=VALUE")
            }
            let key = String(argument[..<equals])
            guard pairs[key] == nil else { throw ValidationError("\(flag) key \"\(key)\" is given twice") }
            pairs[key] = String(argument[argument.index(after: equals)...])
        }
        return pairs
    }

    /// What `intention get` and `intention delete` address: one ID, or a source and destination.
    enum Selector: Equatable {
        case id(String)
        case pair(Caravan_V1_IntentionRef)
    }

    static func selector(_ arguments: [String]) throws -> Selector {
        switch arguments.count {
        case 1:
            guard !arguments[0].isEmpty else { throw ValidationError("the intention ID is empty") }
            return .id(arguments[0])
        case 2:
            let source = try service(arguments[0], role: "source")
            let destination = try service(arguments[1], role: "destination")
            return .pair(
                .with {
                    $0.sourceName = source.name
                    $0.sourceNamespace = source.namespace
                    $0.destinationName = destination.name
                    $0.destinationNamespace = destination.namespace
                })
        default:
            throw ValidationError("give SRC DST, or the intention's ID (got \(arguments.count) arguments)")
        }
    }
}
