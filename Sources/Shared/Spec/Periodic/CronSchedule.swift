import Foundation

/// A parsed cron expression (why: periodic jobs launch children on its ticks; the leader asks for the next tick).
///
/// Follows gorhill/cronexpr, which Nomad uses: 5 fields (minute hour day-of-month month day-of-week), 6 (plus a
/// year) or 7 (a second first, a year last), or a descriptor such as `@daily`. When both day fields are restricted
/// a day matches if either does.
public struct CronSchedule: Sendable, Equatable {
    let second: CronField
    let minute: CronField
    let hour: CronField
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField
    let year: CronField

    /// The last year `next(after:in:)` searches.
    static let lastYear = 2099

    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// Parses an expression; throws a CronError whose description says which field is wrong and why.
    public init(parsing expression: String) throws(CronError) {
        var fields = expression.split(whereSeparator: \.isWhitespace)
        if let first = fields.first, first.hasPrefix("@") {
            guard fields.count == 1, let expanded = Self.descriptors[first.lowercased()] else {
                throw CronError(
                    description: "unknown descriptor \(quoted(fields.joined(separator: " "))); expected one of "
                        + "@yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly")
            }
            fields = expanded.split(separator: " ")
        }
        let kinds: [CronFieldKind]
        switch fields.count {
        case 5: kinds = [.minute, .hour, .dayOfMonth, .month, .dayOfWeek]
        case 6: kinds = [.minute, .hour, .dayOfMonth, .month, .dayOfWeek, .year]
        case 7: kinds = [.second, .minute, .hour, .dayOfMonth, .month, .dayOfWeek, .year]
        default:
            throw CronError(
                description: "expected 5 fields (minute hour day-of-month month day-of-week), 6 (those and a year) "
                    + "or 7 (a second, those and a year), or a descriptor such as \"@daily\", but found "
                    + "\(fields.count) field\(fields.count == 1 ? "" : "s")")
        }
        var parsed: [CronFieldKind: CronField] = [:]
        for (kind, text) in zip(kinds, fields) {
            parsed[kind] = try CronFieldParser(text: text, kind: kind).parse()
        }
        func field(_ kind: CronFieldKind) -> CronField {
            parsed[kind] ?? (kind == .second ? .only(0) : .every(kind))
        }
        second = field(.second)
        minute = field(.minute)
        hour = field(.hour)
        dayOfMonth = field(.dayOfMonth)
        month = field(.month)
        dayOfWeek = field(.dayOfWeek)
        year = field(.year)
    }

    /// The first matching instant strictly after `date`, with the fields read as wall-clock time in `timeZone`.
    /// nil when nothing matches before the year 2100 (e.g. "0 0 30 2 *").
    ///
    /// A wall-clock time skipped by a DST change never fires; one that occurs twice fires at its first occurrence.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        let interval = date.timeIntervalSince1970
        // Beyond ±300,000 years the integer arithmetic could overflow; such dates have no tick before 2100 anyway
        // or are far before the year field's 1970 start.
        guard interval.isFinite, abs(interval) < 1e13 else { return nil }
        let local = Int(interval.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        var wall = CronWallClock(secondsSinceEpoch: local)
        while let candidate = firstMatch(atOrAfter: wall) {
            if let instant = candidate.firstInstant(in: timeZone), instant > date { return instant }
            wall = CronWallClock(secondsSinceEpoch: candidate.secondsSinceEpoch + 1)
        }
        return nil
    }

    /// The first wall-clock time at or after `start` that every field allows, or nil after `lastYear`.
    ///
    /// Each step either returns or moves to the start of the next allowed year, month, day, hour or minute, so
    /// a search crosses a year in at most a few hundred steps.
    func firstMatch(atOrAfter start: CronWallClock) -> CronWallClock? {
        var wall = start
        while wall.year <= Self.lastYear {
            guard let year = year.first(atOrAbove: wall.year) else { return nil }
            if year != wall.year {
                wall = CronWallClock(year: year, month: 1, day: 1)
                continue
            }
            guard let month = month.first(atOrAbove: wall.month) else {
                wall = CronWallClock(year: wall.year + 1, month: 1, day: 1)
                continue
            }
            if month != wall.month {
                wall = CronWallClock(year: wall.year, month: month, day: 1)
                continue
            }
            if wall.day > CronWallClock.daysInMonth(wall.month, of: wall.year) {
                wall = CronWallClock(year: wall.year, month: wall.month + 1, day: 1)
                continue
            }
            guard matchesDay(wall), let hour = hour.first(atOrAbove: wall.hour) else {
                wall = CronWallClock(year: wall.year, month: wall.month, day: wall.day + 1)
                continue
            }
            if hour != wall.hour { (wall.hour, wall.minute, wall.second) = (hour, 0, 0) }
            guard let minute = minute.first(atOrAbove: wall.minute) else {
                (wall.hour, wall.minute, wall.second) = (wall.hour + 1, 0, 0)
                continue
            }
            if minute != wall.minute { (wall.minute, wall.second) = (minute, 0) }
            guard let second = second.first(atOrAbove: wall.second) else {
                (wall.minute, wall.second) = (wall.minute + 1, 0)
                continue
            }
            wall.second = second
            return wall
        }
        return nil
    }

    /// Standard cron: with both day fields restricted either may match; an open one (`*`, `?`) does not restrict.
    func matchesDay(_ wall: CronWallClock) -> Bool {
        switch (dayOfMonth.isWildcard, dayOfWeek.isWildcard) {
        case (true, true): true
        case (false, true): dayOfMonth.contains(wall.day)
        case (true, false): dayOfWeek.contains(wall.weekday)
        case (false, false): dayOfMonth.contains(wall.day) || dayOfWeek.contains(wall.weekday)
        }
    }
}

/// A cron expression that cannot be parsed (why: job validation shows it to the author); `description` names the
/// field and the offending text, such as `minute field "61": 61 is out of range 0-59`.
public struct CronError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
