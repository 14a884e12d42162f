import CaravanRPC
import Testing

@Suite("host:port parsing")
struct HostPortTests {
    @Test(
        "valid forms",
        arguments: [
            ("127.0.0.1:4647", "127.0.0.1", 4647),
            ("[::1]:8502", "::1", 8502),
            ("server-1.example.com:0", "server-1.example.com", 0),
        ])
    func valid(text: String, host: String, port: Int) throws {
        #expect(try HostPort(parsing: text) == HostPort(host: host, port: port))
    }

    @Test("bare hosts take the default port, and lists split on commas")
    func defaults() throws {
        #expect(try HostPort(parsing: "10.0.0.1", defaultPort: 4647) == HostPort(host: "10.0.0.1", port: 4647))
        #expect(
            try HostPort.list(parsing: "a:1, b", defaultPort: 9) == [
                HostPort(host: "a", port: 1), HostPort(host: "b", port: 9),
            ])
    }

    @Test(
        "bad input names the problem",
        arguments: [
            ("", "empty address"),
            ("host", "missing port"),
            (":4647", "missing host"),
            ("host:99999", "port must be a number from 0 to 65535"),
            ("host:http", "port must be a number"),
            ("[::1:80", "missing ']'"),
        ])
    func invalid(text: String, problem: String) {
        #expect {
            try HostPort(parsing: text)
        } throws: { error in
            (error as? CaravanError)?.message.contains(problem) == true
        }
    }
}
