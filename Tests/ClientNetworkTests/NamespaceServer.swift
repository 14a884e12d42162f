import Foundation
import Testing

/// A tiny TCP server in a network namespace that answers every connection with a fixed token and hangs up, so a
/// test can tell that a connection reached it (and not something else listening on the port).
final class NamespaceServer: Sendable {
    private let process: Process

    /// Answers each datagram with the token, for UDP forwarding.
    private static let udpScript = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(sys.argv[1])))
        print("listening", flush=True)
        while True:
            _, sender = s.recvfrom(200)
            s.sendto(sys.argv[2].encode(), sender)
        """

    private static let script = """
        import socket, sys
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(sys.argv[1])))
        s.listen(64)
        print("listening", flush=True)
        while True:
            c, _ = s.accept()
            c.sendall(sys.argv[2].encode())
            c.close()
        """

    /// Starts the server and returns once it listens (it says so on stdout).
    init(namespace: String, port: Int, token: String, udp: Bool = false) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HostTools.path("ip"))
        process.arguments = [
            "netns", "exec", namespace, HostTools.python, "-u", "-c", udp ? Self.udpScript : Self.script, String(port),
            token,
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let listening: Bool = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                while true {
                    let data = stdout.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if text.contains("listening") {
                        continuation.resume(returning: true)
                        return
                    }
                }
                continuation.resume(returning: false)
            }
        }
        guard listening else {
            await stop()
            throw HostTools.Failure(description: "the server in \(namespace) exited before listening on \(port)")
        }
    }

    /// Kills the server and waits for it to exit.
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let process = self.process
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}
