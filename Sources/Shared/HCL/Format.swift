import Foundation

extension StandardLibrary {
    /// printf-style formatting: `%s %d %f %e %g %v %q %t %x %X %o %b` with flags `-+ 0`, width and precision.
    static func format(_ spec: String, _ args: [Value]) throws(FunctionError) -> String {
        let scalars = Array(spec.unicodeScalars)
        var output = ""
        var position = 0
        var used = 0
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            guard scalar == "%" else {
                output.unicodeScalars.append(scalar)
                continue
            }
            guard position < scalars.count else {
                throw FunctionError("the format ends with a lone \"%\"; write %% for a percent sign", argument: 0)
            }
            if scalars[position] == "%" {
                output += "%"
                position += 1
                continue
            }
            var flags: Set<Unicode.Scalar> = []
            while position < scalars.count, "-+ 0#".unicodeScalars.contains(scalars[position]) {
                flags.insert(scalars[position])
                position += 1
            }
            let width = try readCount(scalars, &position)
            var precision: Int?
            if position < scalars.count && scalars[position] == "." {
                position += 1
                precision = try readCount(scalars, &position) ?? 0
            }
            guard position < scalars.count else {
                throw FunctionError("the format ends in the middle of a verb", argument: 0)
            }
            let verb = scalars[position]
            position += 1
            guard used < args.count else {
                throw FunctionError(
                    "not enough arguments: verb %\(verb) needs argument \(used + 2), but there are only "
                        + "\(args.count + 1)", argument: 0)
            }
            let argument = args[used]
            used += 1
            var text = try formatOne(verb, argument, precision: precision, argument: used)
            let numeric = "dfeEgGxXob".unicodeScalars.contains(verb)
            if numeric && !text.hasPrefix("-") {
                if flags.contains("+") {
                    text = "+" + text
                } else if flags.contains(" ") {
                    text = " " + text
                }
            }
            if let width, text.count < width {
                let padding = width - text.count
                if flags.contains("-") {
                    text += String(repeating: " ", count: padding)
                } else if flags.contains("0") && numeric {
                    let sign = text.first.map { "+- ".contains($0) } == true ? String(text.prefix(1)) : ""
                    text = sign + String(repeating: "0", count: padding) + text.dropFirst(sign.count)
                } else {
                    text = String(repeating: " ", count: padding) + text
                }
            }
            output += text
        }
        if used < args.count {
            throw FunctionError(
                "too many arguments: the format uses \(used) but \(args.count) were given", argument: used + 1)
        }
        return output
    }

    static func readCount(_ scalars: [Unicode.Scalar], _ position: inout Int) throws(FunctionError) -> Int? {
        var value: Int?
        while position < scalars.count, let digit = Int(String(scalars[position])), scalars[position].isASCII {
            value = (value ?? 0) * 10 + digit
            position += 1
            guard (value ?? 0) <= 1000 else {
                throw FunctionError("a width or precision in the format must be at most 1000", argument: 0)
            }
        }
        return value
    }

    static func formatOne(
        _ verb: Unicode.Scalar, _ value: Value, precision: Int?, argument: Int
    ) throws(FunctionError) -> String {
        func mismatch(_ wanted: String) -> FunctionError {
            FunctionError("%\(verb) needs \(wanted), but got \(value.phrase)", argument: argument)
        }
        switch verb {
        case "s":
            guard let text = value.asString() else { throw mismatch("a string") }
            return precision.map { String(text.prefix($0)) } ?? text
        case "q":
            guard let text = value.asString() else { throw mismatch("a string") }
            return jsonQuoted(text)
        case "v":
            switch value {
            case .null: return "null"
            case .tuple, .object: return jsonEncode(value)
            default: return value.asString() ?? ""
            }
        case "t":
            guard let flag = value.asBool() else { throw mismatch("a bool") }
            return flag ? "true" : "false"
        case "d", "x", "X", "o", "b":
            guard let number = value.asNumber(), number.isInteger else { throw mismatch("a whole number") }
            guard let integer = number.int else {
                if verb == "d" && number.isPlainInteger { return number.text }
                throw mismatch("a whole number that fits in 64 bits")
            }
            let radix = verb == "x" || verb == "X" ? 16 : verb == "o" ? 8 : verb == "b" ? 2 : 10
            return String(integer, radix: radix, uppercase: verb == "X")
        case "f", "e", "E", "g", "G":
            guard let number = value.asNumber() else { throw mismatch("a number") }
            if (verb == "g" || verb == "G") && precision == nil { return number.text }
            return String(format: "%.\(precision ?? 6)\(verb)", number.double)
        default:
            throw FunctionError(
                "unsupported verb %\(verb); use %s, %d, %f, %e, %g, %v, %q, %t, %x, %o or %b", argument: 0)
        }
    }
}
