import CaravanProto
import HCL

/// Reads the body of a `service-splitter` entry: weights that add up to 100.
enum ServiceSplitterDecoder {

    static let keys = ["Splits"]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceSplitter {
        var splitter = Caravan_V1_ServiceSplitter()
        let elements = problems.blocks(reader, "Splits")
        guard !elements.isEmpty else {
            if !reader.has("Splits") {
                problems.add("a service-splitter needs Splits", at: reader.range)
            } else {
                problems.add("Splits must list at least one split", at: SpecDecoding.valueRange(reader, "Splits"))
            }
            return splitter
        }
        var total = 0.0
        var allWeightsValid = true
        var targets: [String: Int] = [:]
        for (position, element) in elements.enumerated() {
            let body = element.body
            problems.checkKeys(body, ["Weight", "Service", "ServiceSubset", "Namespace"])
            var split = Caravan_V1_ServiceSplit()
            if let weight = problems.double(body, "Weight") {
                if weight < 0 || weight > 100 {
                    problems.add(
                        "Weight must be between 0 and 100, but it is \(format(weight))",
                        at: SpecDecoding.valueRange(body, "Weight"))
                    allWeightsValid = false
                }
                split.weight = Float(weight)
                total += weight
            } else if body.has("Weight") {
                allWeightsValid = false
            }
            if let service = ConfigEntryNames.service(body, "Service", &problems) { split.service = service }
            if let subset = ConfigEntryNames.label(body, "ServiceSubset", &problems) { split.serviceSubset = subset }
            if let namespace = ConfigEntryNames.label(body, "Namespace", &problems) { split.namespace = namespace }
            let target = [split.service, split.serviceSubset, split.namespace].joined(separator: "/")
            if let first = targets[target] {
                problems.add(
                    "Splits[\(position)] sends traffic to the same service and subset as Splits[\(first)]",
                    at: element.range)
            } else {
                targets[target] = position
            }
            splitter.splits.append(split)
        }
        if allWeightsValid && abs(total - 100) > 0.01 {
            problems.add(
                "the split weights must add up to 100, but they add up to \(format(total))",
                at: SpecDecoding.keyRange(reader, "Splits"))
        }
        return splitter
    }

    /// `90`, `33.33`: whole numbers without a fraction, others to two decimals at most.
    static func format(_ weight: Double) -> String {
        guard abs(weight) < 1e12 else { return "\(weight)" }
        let hundredths = (weight * 100).rounded()
        if hundredths.truncatingRemainder(dividingBy: 100) == 0 { return String(Int(hundredths / 100)) }
        return String(hundredths / 100)
    }
}
