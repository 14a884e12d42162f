/// One field of a cron expression as the set of values it allows (why: the schedule search asks each field for the
/// next allowed value, and day matching needs to know whether a day field was left open).
struct CronField: Sendable, Equatable {
    /// Allowed values, ascending and without duplicates.
    let values: [Int]
    /// True when an item was `*` or `?`; a day field only restricts days when this is false.
    let isWildcard: Bool

    func contains(_ value: Int) -> Bool {
        values.contains(value)
    }

    /// The smallest allowed value that is `value` or more.
    func first(atOrAbove value: Int) -> Int? {
        values.first { $0 >= value }
    }

    /// A field that allows only `value`, such as the second of a 5-field expression.
    static func only(_ value: Int) -> CronField {
        CronField(values: [value], isWildcard: false)
    }

    /// A field written as `*`, such as the year of a 5-field expression.
    static func every(_ kind: CronFieldKind) -> CronField {
        CronField(values: Array(kind.span), isWildcard: true)
    }
}

/// Which field is being read: its name in messages, the values it accepts and the names it knows.
enum CronFieldKind: Sendable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek, year

    var name: String {
        switch self {
        case .second: "second"
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day-of-month"
        case .month: "month"
        case .dayOfWeek: "day-of-week"
        case .year: "year"
        }
    }

    /// Every value that may be written; day-of-week accepts 7 as a second spelling of Sunday.
    var bounds: ClosedRange<Int> {
        switch self {
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        case .year: 1970...2099
        }
    }

    /// What `*` (and the open end of `a/n`) covers: `bounds`, except that day-of-week stops at Saturday.
    var span: ClosedRange<Int> {
        self == .dayOfWeek ? 0...6 : bounds
    }

    /// Upper-cased names and their values.
    var names: [String: Int] {
        switch self {
        case .month: CronFieldKind.monthNames
        case .dayOfWeek: CronFieldKind.weekdayNames
        default: [:]
        }
    }

    /// How to end "is not a number" in an error message.
    var nameHint: String {
        switch self {
        case .month: " or a month name (JAN-DEC)"
        case .dayOfWeek: " or a day name (SUN-SAT)"
        default: ""
        }
    }

    static let monthNames: [String: Int] = {
        let short = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let long = [
            "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
            "NOVEMBER", "DECEMBER",
        ]
        return numbered(short, from: 1).merging(numbered(long, from: 1)) { first, _ in first }
    }()

    static let weekdayNames: [String: Int] = {
        let short = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
        let long = ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"]
        return numbered(short, from: 0).merging(numbered(long, from: 0)) { first, _ in first }
    }()

    private static func numbered(_ names: [String], from start: Int) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset + start) })
    }
}
