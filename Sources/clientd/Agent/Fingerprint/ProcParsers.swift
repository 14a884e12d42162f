/// What /proc/cpuinfo says about the processors.
struct CPUInfo: Sendable, Equatable {
    /// Logical processors ("processor" entries).
    var cores: Int
    /// Clock of the first processor that reports one ("cpu MHz"), rounded.
    var mhz: Int?
    var modelName: String?

    init(cores: Int, mhz: Int?, modelName: String?) {
        self.cores = cores
        self.mhz = mhz
        self.modelName = modelName
    }

    /// Parses the `key : value` lines of /proc/cpuinfo.
    init(parsing text: String) {
        var cores = 0
        var mhz: Int?
        var model: String?
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingWhitespace()
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            switch key {
            case "processor": cores += 1
            case "cpu MHz" where mhz == nil:
                if let number = Double(value), number > 0 { mhz = Int(number.rounded()) }
            case "model name" where model == nil && !value.isEmpty: model = value
            default: break
            }
        }
        self.init(cores: cores, mhz: mhz, modelName: model)
    }
}

/// Reads `MemTotal` from /proc/meminfo, in bytes.
func parseMemTotalBytes(_ text: String) -> Int64? {
    for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
        let fields = line.dropFirst("MemTotal:".count).split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first, let amount = Int64(first) else { return nil }
        let unit = fields.count > 1 ? fields[1].lowercased() : ""
        return unit == "kb" ? amount * 1024 : amount
    }
    return nil
}

/// Parses /etc/os-release (`KEY=value`, values optionally quoted) into a dictionary.
func parseOSRelease(_ text: String) -> [String: String] {
    var values: [String: String] = [:]
    for rawLine in text.split(separator: "\n") {
        let line = rawLine.trimmingWhitespace()
        guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
        let key = String(line[..<equals])
        var value = String(line[line.index(after: equals)...])
        if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
            value = String(value.dropFirst().dropLast())
            if quote == "\"" {
                value = value.replacingBackslashEscapes()
            }
        }
        values[key] = value
    }
    return values
}

extension String {
    fileprivate func replacingBackslashEscapes() -> String {
        var result = ""
        var escaping = false
        for character in self {
            if escaping {
                result.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// Go's GOARCH name for a kernel machine name, since jobs constrain on `${attr.cpu.arch} = "amd64"` as in Nomad.
func goArchitecture(machine: String) -> String {
    switch machine {
    case "x86_64", "amd64": "amd64"
    case "aarch64", "arm64": "arm64"
    case "i386", "i486", "i586", "i686": "386"
    case "armv6l", "armv7l", "armv8l", "arm": "arm"
    case "ppc64le": "ppc64le"
    case "s390x": "s390x"
    case "riscv64": "riscv64"
    default: machine
    }
}
