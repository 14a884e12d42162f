import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TestSupport

/// Real serverd processes on loopback forming one Raft cluster, for tests that kill and restart them.
final class ServerCluster: Sendable {
    struct Slot: Sendable {
        var name: String
        var rpcPort: Int
        var raftPort: Int
        var dataDir: String

        var rpcAddress: HostPort { HostPort(host: "127.0.0.1", port: rpcPort) }
    }

    let certs: CertificateFixture
    let root: String
    let slots: [Slot]
    let extraFlags: [String]
    private let processes: Mutex<[DaemonProcess?]>

    init(size: Int, extraFlags: [String] = []) throws {
        certs = try CertificateFixture()
        root = try TemporaryDirectory.make(prefix: "caravan-raft")
        var slots: [Slot] = []
        for index in 0..<size {
            slots.append(
                Slot(
                    name: "server-\(index)", rpcPort: try FreePort.pick(), raftPort: try FreePort.pick(),
                    dataDir: "\(root)/server-\(index)"))
        }
        self.slots = slots
        self.extraFlags = extraFlags
        processes = Mutex(Array(repeating: nil, count: size))
    }

    var raftAddresses: String { slots.map { "127.0.0.1:\($0.raftPort)" }.joined(separator: ",") }

    func start(_ index: Int) throws {
        let slot = slots[index]
        let process = try DaemonProcess(
            "serverd",
            [
                "-bind", "127.0.0.1", "-node", slot.name, "-data-dir", slot.dataDir,
                "-rpc-port", "\(slot.rpcPort)", "-raft-port", "\(slot.raftPort)", "-http-port", "0",
                "-bootstrap-expect", "\(slots.count)", "-join", raftAddresses,
                "-ca-file", certs.path("ca.pem"), "-cert-file", certs.path("server.pem"),
                "-key-file", certs.path("server-key.pem"),
            ] + extraFlags)
        processes.withLock { $0[index] = process }
    }

    func startAll() throws {
        for index in slots.indices { try start(index) }
    }

    func process(_ index: Int) -> DaemonProcess? { processes.withLock { $0[index] } }

    /// kill -9: no chance to flush or say goodbye.
    func kill(_ index: Int) async {
        let process = processes.withLock { processes in
            let process = processes[index]
            processes[index] = nil
            return process
        }
        await process?.stop(signal: SIGKILL)
    }

    /// SIGKILLs every server right away and removes the data; for `defer`, which cannot await. Without it a
    /// failing test would leave servers running after the test process exits.
    func killAllNow() {
        let all = processes.withLock { processes in
            let all = processes.compactMap { $0 }
            processes = Array(repeating: nil, count: processes.count)
            return all
        }
        for process in all { Foundation.kill(process.pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    var dialer: RPCDialer {
        get throws { RPCDialer(tls: try certs.material("cli"), callTimeout: .seconds(15)) }
    }

    /// Runs `body` with a Variables client connected to server `index`.
    func withVariables<Result: Sendable>(
        _ index: Int, _ body: (Caravan_V1_Variables.Client<HTTP2ClientTransport.Posix>) async throws -> Result
    ) async throws -> Result {
        try await dialer.withClient(slots[index].rpcAddress) { client in
            try await body(Caravan_V1_Variables.Client(wrapping: client))
        }
    }

    /// Puts `{v: value}` at `path` through server `index` (check-and-set when `checkIndex` is given); returns the
    /// variable's new modify index.
    func put(on index: Int, path: String, value: String, checkIndex: UInt64? = nil) async throws -> UInt64 {
        try await withVariables(index) { variables in
            try await variables.put(
                Caravan_V1_PutVariableRequest.with {
                    $0.variable.path = path
                    $0.variable.items = ["v": value]
                    if let checkIndex { $0.checkIndex = checkIndex }
                }
            ).variable.modifyIndex
        }
    }

    /// The slot whose server every running server names as leader, once they agree (polls up to `timeout`);
    /// with `excluding`, once they agree on another one (a leadership transfer completes after its RPC returns).
    func waitForLeader(excluding: Int? = nil, timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var leaders: Set<String> = []
            var answered = 0
            for index in slots.indices where process(index) != nil {
                let status = try? await dialer.withClient(slots[index].rpcAddress) { client in
                    try await Caravan_V1_Agent.Client(wrapping: client).status(.init())
                }
                if let status {
                    answered += 1
                    leaders.insert(status.leader)
                }
            }
            if answered > 0, leaders.count == 1, let leader = leaders.first, !leader.isEmpty,
                let index = slots.firstIndex(where: { $0.rpcAddress.description == leader }), index != excluding
            {
                return index
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CaravanError.unavailable("no agreed leader within \(timeout); logs:\n\(logs)")
    }

    /// Whether server `index` logs a line containing `text` within a few seconds (its log arrives through a
    /// pipe, so a line written just before an RPC answer may be read just after it).
    func logs(_ index: Int, contain text: String) async -> Bool {
        for _ in 0..<50 {
            if process(index)?.log.contains(text) == true { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    var logs: String {
        slots.indices.map { "--- \(slots[$0].name)\n\(process($0)?.log.suffix(3000) ?? "(not running)")" }
            .joined(separator: "\n")
    }

    /// Paths of variables under `prefix` as server `index` holds them right now (a stale read).
    func storedPaths(on index: Int, prefix: String) async throws -> Set<String> {
        try await withVariables(index) { variables in
            let response = try await variables.list(
                Caravan_V1_ListVariablesRequest.with {
                    $0.query.prefix = prefix
                    $0.query.allowStale = true
                })
            return Set(response.variables.map(\.path))
        }
    }
}

/// Picks a free loopback port for a daemon that must be told its port before it starts (Raft peers).
///
/// Ports come from 10000-19999: below the kernel's ephemeral range (32768-60999 here), which the kernel hands to
/// port-0 binds and outgoing connections, and below the scheduler's dynamic ports (20000-32000). A port picked here
/// and bound a moment later cannot have been taken by one of the thousands of client connections the tests open
/// meanwhile. Each port is handed out once per test process and must pass a trial bind.
enum FreePort {
    static let range = 10000..<20000
    private static let handedOut = Mutex<Set<Int>>([])

    static func pick() throws -> Int {
        for _ in 0..<500 {
            let candidate = Int.random(in: range)
            let fresh = handedOut.withLock { $0.insert(candidate).inserted }
            guard fresh, canBind(candidate) else { continue }
            return candidate
        }
        throw CaravanError.unavailable("no free port in \(range) after 500 tries")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}
