import CaravanProto
import HCL

extension JobDecoder {
    /// Shorthand attributes Nomad accepts in place of `operator` + `value`, e.g. `regexp = "^linux"`.
    static let operatorShorthands = [
        "regexp", "version", "semver", "set_contains", "set_contains_any", "set_contains_all",
    ]

    mutating func decodeConstraints(_ reader: BodyReader, owner: String) -> [Caravan_V1_Constraint] {
        var constraints: [Caravan_V1_Constraint] = []
        for (index, block) in blocks(reader, "constraint").enumerated() {
            let body = block.body
            record(body, at: JobSourceMap.child(owner, "constraint", index), range: block.range)
            checkKeys(
                body,
                [
                    "attribute", "value", "operator", "l_target", "r_target", "operand", "distinct_hosts",
                    "distinct_property",
                ] + Self.operatorShorthands)
            let target = readTarget(body)
            var constraint = Caravan_V1_Constraint()
            constraint.lTarget = target.left
            constraint.rTarget = target.right
            constraint.operand = target.operand
            if bool(body, "distinct_hosts") == true { constraint.operand = "distinct_hosts" }
            if let property = string(body, "distinct_property") {
                constraint.operand = "distinct_property"
                constraint.lTarget = property
            }
            constraints.append(constraint)
        }
        return constraints
    }

    mutating func decodeAffinities(_ reader: BodyReader, owner: String) -> [Caravan_V1_Affinity] {
        var affinities: [Caravan_V1_Affinity] = []
        for (index, block) in blocks(reader, "affinity").enumerated() {
            let body = block.body
            record(body, at: JobSourceMap.child(owner, "affinity", index), range: block.range)
            checkKeys(
                body,
                ["attribute", "value", "operator", "weight", "l_target", "r_target", "operand"]
                    + Self.operatorShorthands)
            let target = readTarget(body)
            var affinity = Caravan_V1_Affinity()
            affinity.lTarget = target.left
            affinity.rTarget = target.right
            affinity.operand = target.operand
            affinity.weight = int32(body, "weight") ?? 50
            affinities.append(affinity)
        }
        return affinities
    }

    mutating func decodeSpreads(_ reader: BodyReader, owner: String) -> [Caravan_V1_Spread] {
        var spreads: [Caravan_V1_Spread] = []
        for (index, block) in blocks(reader, "spread").enumerated() {
            let path = JobSourceMap.child(owner, "spread", index)
            let body = block.body
            record(body, at: path, range: block.range)
            checkKeys(body, ["attribute", "weight", "target"])
            var spread = Caravan_V1_Spread()
            spread.attribute = string(body, "attribute") ?? ""
            spread.weight = int32(body, "weight") ?? 50
            for (targetIndex, targetBlock) in blocks(body, "target").enumerated() {
                let targetBody = targetBlock.body
                record(targetBody, at: JobSourceMap.child(path, "target", targetIndex), range: targetBlock.range)
                checkKeys(targetBody, ["value", "percent"])
                var target = Caravan_V1_SpreadTarget()
                if targetBlock.labels.isEmpty {
                    target.value = string(targetBody, "value") ?? ""
                } else {
                    target.value = label(targetBlock, "value") ?? ""
                }
                if let percent = int32(targetBody, "percent") {
                    if let unsigned = UInt32(exactly: percent) {
                        target.percent = unsigned
                    } else {
                        diagnostics.add(
                            "invalid value for \"percent\": \(percent) is negative; use 0 to 100",
                            at: SpecDecoding.valueRange(targetBody, "percent"))
                    }
                }
                spread.targets.append(target)
            }
            spreads.append(spread)
        }
        return spreads
    }

    /// `attribute`/`l_target`, `value`/`r_target` and `operator`/`operand` (default `=`), or a shorthand.
    mutating func readTarget(_ body: BodyReader) -> (left: String, right: String, operand: String) {
        let left = string(body, "attribute") ?? string(body, "l_target") ?? ""
        var right = string(body, "value") ?? string(body, "r_target") ?? ""
        var operand = string(body, "operator") ?? string(body, "operand") ?? "="
        for shorthand in Self.operatorShorthands {
            guard let value = string(body, shorthand) else { continue }
            operand = shorthand == "set_contains_all" ? "set_contains" : shorthand
            right = value
        }
        return (left, right, operand)
    }
}
