import CaravanProto
import Spec

/// The checks of a config entry on its own, for entries that arrive as protobuf rather than from a file: the kind is
/// supported, agrees with the body, and names a service.
enum ConfigEntryShape {
    static func problems(_ entry: Caravan_V1_ConfigEntry) -> [String] {
        guard ConfigEntrySpec.supportedKinds.contains(entry.kind) else {
            return [
                "unsupported kind \"\(entry.kind)\"; Caravan supports: "
                    + ConfigEntrySpec.supportedKinds.joined(separator: ", ")
            ]
        }
        var problems: [String] = []
        if entry.name.isEmpty { problems.append("a config entry needs a Name (the service it configures)") }
        let bodyKind: String? =
            switch entry.body {
            case .serviceDefaults?: "service-defaults"
            case .serviceRouter?: "service-router"
            case .serviceSplitter?: "service-splitter"
            case .serviceResolver?: "service-resolver"
            case .serviceIntentions?: "service-intentions"
            case nil: nil
            }
        if bodyKind != entry.kind {
            problems.append("the entry's Kind is \(entry.kind) but its body is \(bodyKind ?? "missing")")
        }
        if case .serviceSplitter(let splitter)? = entry.body {
            let total = splitter.splits.reduce(0.0) { $0 + Double($1.weight) }
            if splitter.splits.isEmpty || abs(total - 100) > 0.01 {
                problems.append("Splits: the weights add up to \(total), not 100")
            }
        }
        return problems
    }
}
