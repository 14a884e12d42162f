import Spec
import Testing

@Suite("Go-style durations")
struct DurationTextTests {
    @Test(
        "durations as Nomad and Consul users write them",
        arguments: [
            ("30s", Int64(30_000_000_000)), ("1h30m", 5_400_000_000_000), ("250ms", 250_000_000),
            ("1.5h", 5_400_000_000_000), ("0", 0), ("10us", 10_000), ("-5s", -5_000_000_000),
        ]
    )
    func parses(text: String, nanoseconds: Int64) throws {
        #expect(try DurationText.nanoseconds(text).get() == nanoseconds)
    }

    @Test(
        "bad durations say what is wrong",
        arguments: [
            ("", "empty duration"), ("30", "missing unit"), ("5d", "unknown unit \"d\""), ("s", "is not a duration"),
            ("99999999999h", "out of range"),
        ]
    )
    func rejects(text: String, problem: String) {
        guard case .failure(let error) = DurationText.nanoseconds(text) else {
            Issue.record("\"\(text)\" was accepted")
            return
        }
        #expect(error.message.contains(problem))
    }

    @Test("the protobuf form splits seconds and nanos")
    func proto() {
        let duration = DurationText.proto(nanoseconds: 1_500_000_000)
        #expect(duration.seconds == 1 && duration.nanos == 500_000_000)
    }
}
