import Testing

@testable import ClientAgent

@Suite("Signal names")
struct SignalNameTests {
    @Test(
        "names parse with or without SIG, in any case",
        arguments: [
            ("SIGTERM", 15), ("TERM", 15), ("sigterm", 15), (" SIGHUP ", 1), ("SIGKILL", 9), ("SIGUSR1", 10),
            ("usr2", 12), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGWINCH", 28),
        ] as [(String, Int32)])
    func names(name: String, number: Int32) throws {
        #expect(try SignalName.parse(name) == number)
    }

    @Test("unknown and empty names are errors")
    func errors() {
        #expect(throws: SignalNameError.unknown("SIGFOO")) { try SignalName.parse("SIGFOO") }
        #expect(throws: SignalNameError.empty) { try SignalName.parse("") }
        #expect(SignalNameError.unknown("SIGFOO").description == "unknown signal \"SIGFOO\"")
    }

    @Test("kill_signal defaults to SIGINT, as in Nomad")
    func killSignal() throws {
        #expect(try SignalName.killSignal("") == 2)
        #expect(try SignalName.killSignal("SIGTERM") == 15)
        #expect(throws: SignalNameError.self) { try SignalName.killSignal("bogus") }
    }
}
