import Foundation
import Spec
import Testing

/// Cron parsing and next-tick search for periodic jobs, following gorhill/cronexpr as Nomad does.
@Suite("Cron schedules")
struct CronScheduleTests {
    static let utc = TimeZone(secondsFromGMT: 0) ?? .current

    func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let parsed = formatter.date(from: text) { return parsed }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) ?? .distantPast
    }

    func schedule(_ expression: String) throws -> CronSchedule {
        try CronSchedule(parsing: expression)
    }

    /// The next tick of `expression` after `start` (an ISO 8601 instant), in `zone`.
    func next(_ expression: String, after start: String, in zone: String = "UTC") throws -> Date? {
        let timeZone = try #require(TimeZone(identifier: zone))
        return try schedule(expression).next(after: date(start), in: timeZone)
    }

    /// The first `count` ticks of `expression` after `start`, in UTC.
    func ticks(_ expression: String, after start: String, count: Int) throws -> [Date] {
        let parsed = try schedule(expression)
        var result: [Date] = []
        var current = date(start)
        while result.count < count, let tick = parsed.next(after: current, in: Self.utc) {
            result.append(tick)
            current = tick
        }
        return result
    }

    func parseError(_ expression: String) -> String? {
        do {
            _ = try CronSchedule(parsing: expression)
            return nil
        } catch {
            return error.description
        }
    }

    // MARK: Parsing

    @Test(
        "each descriptor is its 5-field expression",
        arguments: [
            ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
        ])
    func descriptors(descriptor: String, expanded: String) throws {
        #expect(try schedule(descriptor) == schedule(expanded))
    }

    @Test("month and weekday names are case-insensitive, long or short, and work in ranges")
    func names() throws {
        #expect(try schedule("0 0 * JAN-MAR MON-FRI") == schedule("0 0 * 1-3 1-5"))
        #expect(try schedule("0 0 * jan,Dec sun") == schedule("0 0 * 1,12 0"))
        #expect(try schedule("0 0 * february * ") == schedule("0 0 * 2 *"))
        #expect(try schedule("0 0 * * wednesday") == schedule("0 0 * * 3"))
        #expect(try schedule("0 0 * * FRI-SUN") == schedule("0 0 * * 0,5,6"))
    }

    @Test("lists, ranges and steps expand to the same values as their spelled-out lists")
    func listsRangesAndSteps() throws {
        #expect(try schedule("*/15 * * * *") == schedule("0,15,30,45 * * * *"))
        #expect(try schedule("10-20/5 * * * *") == schedule("10,15,20 * * * *"))
        #expect(try schedule("50/5 * * * *") == schedule("50,55 * * * *"))
        #expect(try schedule("1-3,7,9-10 * * * *") == schedule("1,2,3,7,9,10 * * * *"))
        #expect(try schedule("0 */6 * * *") == schedule("0 0,6,12,18 * * *"))
        #expect(try schedule("0 0 * * 5-7") == schedule("0 0 * * 0,5,6"))
        #expect(try schedule("05 07 * * *") == schedule("5 7 * * *"))
    }

    @Test("5 fields mean second 0 and any year; 6 add a year; 7 start with a second")
    func fieldCounts() throws {
        #expect(try schedule("0 0 1 1 *") == schedule("0 0 1 1 * *"))
        #expect(try schedule("0 0 1 1 *") == schedule("0 0 0 1 1 * *"))
        #expect(try schedule("0 0 1 1 * 2030") == schedule("0 0 0 1 1 * 2030"))
        #expect(try schedule("0 0 1 1 * 2030") != schedule("0 0 1 1 * 2031"))
    }

    @Test("spaces and tabs between fields, and around the expression, are ignored")
    func whitespace() throws {
        #expect(try schedule("  0\t0 \t * *   *  ") == schedule("0 0 * * *"))
        #expect(try schedule(" @daily ") == schedule("0 0 * * *"))
    }

    @Test(
        "bad expressions name the field and the offending text",
        arguments: [
            ("61 * * * *", "minute field \"61\": 61 is out of range 0-59"),
            ("* 24 * * *", "hour field \"24\": 24 is out of range 0-23"),
            ("* * 0 * *", "day-of-month field \"0\": 0 is out of range 1-31"),
            ("* * * 13 *", "month field \"13\": 13 is out of range 1-12"),
            ("* * * * 8", "day-of-week field \"8\": 8 is out of range 0-7"),
            ("0 0 1 1 * 1969", "year field \"1969\": 1969 is out of range 1970-2099"),
            ("60 0 0 1 1 * *", "second field \"60\": 60 is out of range 0-59"),
            ("1,5-1 * * * *", "minute field \"1,5-1\": range 5-1 is reversed: 5 comes after 1"),
            ("*/0 * * * *", "minute field \"*/0\": step 0 must be at least 1"),
            ("*/61 * * * *", "minute field \"*/61\": step 61 is larger than the 60 values of the field"),
            ("*/x * * * *", "minute field \"*/x\": step \"x\" is not a whole number"),
            ("1/2/3 * * * *", "minute field \"1/2/3\": \"1/2/3\" has more than one \"/\""),
            ("/5 * * * *", "minute field \"/5\": \"/5\" needs a value before \"/\""),
            (
                "1-2-3 * * * *",
                "minute field \"1-2-3\": \"1-2-3\" is not a range; write start-end with a value on each side"
            ),
            ("-5 * * * *", "minute field \"-5\": \"-5\" is not a range; write start-end with a value on each side"),
            ("1,,2 * * * *", "minute field \"1,,2\": empty item in the list"),
            ("1, * * * *", "minute field \"1,\": empty item in the list"),
            ("* * * FOO *", "month field \"FOO\": \"FOO\" is not a number or a month name (JAN-DEC)"),
            ("* * * * FUNDAY", "day-of-week field \"FUNDAY\": \"FUNDAY\" is not a number or a day name (SUN-SAT)"),
            ("x * * * *", "minute field \"x\": \"x\" is not a number"),
            ("? * * * *", "minute field \"?\": \"?\" is only allowed in the day-of-month and day-of-week fields"),
            (
                "0 0 L * *",
                "day-of-month field \"L\": \"L\" (last day of the month) and \"W\" (nearest weekday) are not supported"
            ),
            (
                "0 0 15W * *",
                "day-of-month field \"15W\": \"L\" (last day of the month) and \"W\" (nearest weekday) are not "
                    + "supported"
            ),
            ("0 0 * * 5#3", "day-of-week field \"5#3\": \"#\" (nth weekday of the month) is not supported"),
            ("0 0 * * FRIL", "day-of-week field \"FRIL\": \"L\" (last weekday of the month) is not supported"),
        ])
    func fieldErrors(expression: String, message: String) {
        #expect(parseError(expression) == message)
    }

    @Test("a wrong number of fields or an unknown descriptor is rejected as a whole")
    func shapeErrors() {
        let shape =
            "expected 5 fields (minute hour day-of-month month day-of-week), 6 (those and a year) or 7 (a second, "
            + "those and a year), or a descriptor such as \"@daily\", but found "
        #expect(parseError("every day") == shape + "2 fields")
        #expect(parseError("") == shape + "0 fields")
        #expect(parseError("* * * * * * * *") == shape + "8 fields")
        let descriptors = "expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly"
        #expect(parseError("@every 5m") == "unknown descriptor \"@every 5m\"; " + descriptors)
        #expect(parseError("@reboot") == "unknown descriptor \"@reboot\"; " + descriptors)
    }

    // MARK: Next tick

    @Test("every minute and */15 tick on the next matching minute")
    func minutes() throws {
        #expect(try next("* * * * *", after: "2026-05-10T10:20:30Z") == date("2026-05-10T10:21:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-05-10T10:20:30Z") == date("2026-05-10T10:30:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-05-10T23:50:00Z") == date("2026-05-11T00:00:00Z"))
    }

    @Test("a tick exactly at the start is not returned again: next is strictly after")
    func strictlyAfter() throws {
        #expect(try next("0 * * * *", after: "2026-05-10T10:00:00Z") == date("2026-05-10T11:00:00Z"))
        #expect(try next("0 * * * *", after: "2026-05-10T09:59:59.500Z") == date("2026-05-10T10:00:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-05-10T10:45:00Z") == date("2026-05-10T11:00:00Z"))
    }

    @Test("30 2 * * * crosses into the next day once today's tick has passed")
    func dayBoundary() throws {
        #expect(try next("30 2 * * *", after: "2026-05-10T01:00:00Z") == date("2026-05-10T02:30:00Z"))
        #expect(try next("30 2 * * *", after: "2026-05-10T03:00:00Z") == date("2026-05-11T02:30:00Z"))
        #expect(try next("30 2 * * *", after: "2026-05-31T03:00:00Z") == date("2026-06-01T02:30:00Z"))
    }

    @Test("0 0 1 * * rolls over months, including December into January")
    func monthRollover() throws {
        #expect(try next("0 0 1 * *", after: "2026-05-10T00:00:00Z") == date("2026-06-01T00:00:00Z"))
        #expect(try next("0 0 1 * *", after: "2026-12-15T08:00:00Z") == date("2027-01-01T00:00:00Z"))
        #expect(try next("@yearly", after: "2026-01-01T00:00:00Z") == date("2027-01-01T00:00:00Z"))
    }

    @Test("0 0 29 2 * waits for the next leap year; 0 0 30 2 * never ticks")
    func impossibleDays() throws {
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z") == date("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2096-03-01T00:00:00Z") == nil)
        #expect(try next("0 0 30 2 *", after: "2026-03-01T00:00:00Z") == nil)
        #expect(try next("0 0 31 4,6,9,11 *", after: "2026-03-01T00:00:00Z") == nil)
    }

    @Test("with both day fields restricted a day matches either: 0 0 13 * 5 is every Friday and every 13th")
    func dayOfMonthOrDayOfWeek() throws {
        let expected = ["2026-04-10", "2026-04-13", "2026-04-17", "2026-04-24", "2026-05-01"]
        #expect(
            try ticks("0 0 13 * 5", after: "2026-04-04T00:00:00Z", count: 5) == expected.map { date($0 + "T00:00:00Z") }
        )
        // With one day field open, only the other restricts.
        #expect(try next("0 0 13 * *", after: "2026-04-04T00:00:00Z") == date("2026-04-13T00:00:00Z"))
        #expect(try next("0 0 ? * FRI", after: "2026-04-04T00:00:00Z") == date("2026-04-10T00:00:00Z"))
    }

    @Test("day-of-week 7 is Sunday")
    func sundayAsSeven() throws {
        #expect(try schedule("0 0 * * 7") == schedule("0 0 * * 0"))
        #expect(try next("0 0 * * 7", after: "2026-05-06T12:00:00Z") == date("2026-05-10T00:00:00Z"))
    }

    @Test("a 7-field expression ticks on seconds")
    func seconds() throws {
        #expect(try next("*/20 * * * * * *", after: "2026-05-10T10:20:30Z") == date("2026-05-10T10:20:40Z"))
        #expect(try next("*/20 * * * * * *", after: "2026-05-10T10:20:40Z") == date("2026-05-10T10:21:00Z"))
        #expect(try next("15 30 9 * * * *", after: "2026-05-10T10:00:00Z") == date("2026-05-11T09:30:15Z"))
    }

    @Test("the year field limits ticks to its years, and a past year never ticks")
    func years() throws {
        #expect(try next("0 0 1 1 * 2030", after: "2026-05-10T00:00:00Z") == date("2030-01-01T00:00:00Z"))
        #expect(try next("0 0 1 1 * 2030-2032", after: "2030-01-01T00:00:00Z") == date("2031-01-01T00:00:00Z"))
        #expect(try next("0 0 1 1 * 2020", after: "2026-05-10T00:00:00Z") == nil)
        #expect(try next("0 0 1 1 *", after: "2099-06-01T00:00:00Z") == nil)
        #expect(try next("0 0 1 1 *", after: "1960-06-01T00:00:00Z") == date("1970-01-01T00:00:00Z"))
    }

    @Test(
        "ticks match a minute-by-minute scan with a UTC calendar",
        arguments: ["*/7 3-5 * * *", "0 12 13 * 5", "45 */5 * 5 1-3"])
    func matchesBruteForce(expression: String) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.utc
        let parsed = try schedule(expression)
        let start = date("2026-05-01T00:00:00Z")
        var expected: [Date] = []
        for minute in 1...(60 * 24 * 31) {
            let candidate = start.addingTimeInterval(TimeInterval(minute * 60))
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: candidate)
            if brute(expression, parts) { expected.append(candidate) }
        }
        var actual: [Date] = []
        var current = start
        while let tick = parsed.next(after: current, in: Self.utc), tick <= expected.last ?? start {
            actual.append(tick)
            current = tick
        }
        #expect(!expected.isEmpty)
        #expect(actual == expected)
    }

    /// The three expressions of `matchesBruteForce`, written as predicates.
    func brute(_ expression: String, _ parts: DateComponents) -> Bool {
        let (minute, hour, day, month) = (parts.minute ?? -1, parts.hour ?? -1, parts.day ?? -1, parts.month ?? -1)
        let weekday = (parts.weekday ?? 0) - 1
        switch expression {
        case "*/7 3-5 * * *": return minute % 7 == 0 && (3...5).contains(hour)
        case "0 12 13 * 5": return minute == 0 && hour == 12 && (day == 13 || weekday == 5)
        default: return minute == 45 && hour % 5 == 0 && month == 5 && (1...3).contains(weekday)
        }
    }

    // MARK: Time zones

    @Test("0 9 * * * in America/New_York is 13:00Z in summer and 14:00Z in winter")
    func newYork() throws {
        let zone = "America/New_York"
        #expect(try next("0 9 * * *", after: "2026-07-01T00:00:00Z", in: zone) == date("2026-07-01T13:00:00Z"))
        #expect(try next("0 9 * * *", after: "2026-01-15T00:00:00Z", in: zone) == date("2026-01-15T14:00:00Z"))
        #expect(try next("0 9 * * *", after: "2026-01-15T14:00:00Z", in: zone) == date("2026-01-16T14:00:00Z"))
        #expect(
            try next("0 9 * * *", after: "2026-07-01T00:00:00Z", in: "Asia/Kolkata") == date("2026-07-01T03:30:00Z"))
    }

    @Test("a wall-clock time inside the spring-forward gap is skipped")
    func springForward() throws {
        let zone = "America/New_York"
        #expect(try next("30 2 * * *", after: "2026-03-07T08:00:00Z", in: zone) == date("2026-03-09T06:30:00Z"))
        // The hours around the gap still tick: 01:30 EST and 03:30 EDT.
        #expect(try next("30 1,3 * * *", after: "2026-03-08T05:00:00Z", in: zone) == date("2026-03-08T06:30:00Z"))
        #expect(try next("30 1,3 * * *", after: "2026-03-08T06:30:00Z", in: zone) == date("2026-03-08T07:30:00Z"))
    }

    @Test("a wall-clock time repeated by the fall-back fires once, at its first occurrence")
    func fallBack() throws {
        let zone = "America/New_York"
        #expect(try next("30 1 * * *", after: "2026-11-01T04:00:00Z", in: zone) == date("2026-11-01T05:30:00Z"))
        #expect(try next("30 1 * * *", after: "2026-11-01T05:30:00Z", in: zone) == date("2026-11-02T06:30:00Z"))
        // From inside the repeated hour (01:15 EST) the second 01:30 is not a new tick.
        #expect(try next("30 1 * * *", after: "2026-11-01T06:15:00Z", in: zone) == date("2026-11-02T06:30:00Z"))
        // */30: 01:00 and 01:30 EDT fire, the repeated 01:00 and 01:30 EST do not, then 02:00 EST.
        #expect(try next("*/30 * * * *", after: "2026-11-01T05:30:00Z", in: zone) == date("2026-11-01T07:00:00Z"))
    }
}
