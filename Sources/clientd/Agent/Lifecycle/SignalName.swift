/// Signal names as jobs write them (`kill_signal`, `change_signal`): "SIGTERM", "TERM" or "sigterm" → 15.
enum SignalName {
    /// Nomad sends SIGINT first when a task sets no `kill_signal`.
    static let defaultKillSignal: Int32 = 2

    /// Linux signal numbers by name without the "SIG" prefix.
    static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]

    /// The number of a named signal; an empty or unknown name is an error.
    static func parse(_ name: String) throws(SignalNameError) -> Int32 {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        var key = trimmed.uppercased()
        if key.hasPrefix("SIG") { key = String(key.dropFirst(3)) }
        guard let number = numbers[key] else { throw .unknown(name) }
        return number
    }

    /// A task's `kill_signal`: SIGINT when empty.
    static func killSignal(_ name: String) throws(SignalNameError) -> Int32 {
        name.trimmingWhitespace().isEmpty ? defaultKillSignal : try parse(name)
    }
}

enum SignalNameError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknown(String)

    var description: String {
        switch self {
        case .empty: "signal name is empty"
        case .unknown(let name): "unknown signal \"\(name)\""
        }
    }
}
