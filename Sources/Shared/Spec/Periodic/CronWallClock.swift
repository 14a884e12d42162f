import Foundation

/// A wall-clock time in the proleptic Gregorian calendar, with no time zone (why: cron fields are read as local
/// time, so the search walks wall-clock times and only turns a match into an instant at the end).
///
/// Dates are plain integer arithmetic (days since 1970-01-01), which keeps the search cheap; turning a wall-clock
/// time into an instant asks the `TimeZone` for its UTC offsets, so DST gaps and repeats are decided explicitly.
struct CronWallClock: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall-clock time `seconds` after 1970-01-01 00:00:00 (wall-clock seconds, not UTC ones).
    init(secondsSinceEpoch seconds: Int) {
        let days = Self.floorDivide(seconds, 86_400)
        let rest = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(year: year, month: month, day: day, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }

    var secondsSinceEpoch: Int {
        Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// 0 for Sunday through 6 for Saturday.
    var weekday: Int {
        // 1970-01-01 was a Thursday.
        let days = Self.days(year: year, month: month, day: day)
        return ((days % 7) + 7 + 4) % 7
    }

    /// The earliest instant that shows this wall-clock time in `timeZone`; nil when it falls in a DST gap.
    func firstInstant(in timeZone: TimeZone) -> Date? {
        let wall = secondsSinceEpoch
        var offsets = Set<Int>()
        for probe in [wall - 86_400, wall, wall + 86_400] {
            offsets.insert(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(probe))))
        }
        let instants = offsets.map { wall - $0 }.filter { instant in
            instant + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))) == wall
        }
        return instants.min().map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    static func daysInMonth(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = floorDivide(shifted, 400)
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
