import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport
import Testing

@Suite("Hostile input on the Raft port", .serialized, .timeLimit(.minutes(3)))
struct RaftPeerInputTests {
    @Test("malformed messages, a bad snapshot and a non-server caller are refused; the cluster keeps serving")
    func hostilePeer() async throws {
        let cluster = try ServerCluster(size: 3)
        defer { cluster.killAllNow() }
        try cluster.startAll()
        let leader = try await cluster.waitForLeader()
        let target = (leader + 1) % 3
        let raftAddress = HostPort(host: "127.0.0.1", port: cluster.slots[target].raftPort)
        let asServer = RPCDialer(tls: try cluster.certs.material("server"), callTimeout: .seconds(10))

        // A stream of nonsense: no kind, an unknown entry type, a term from the far future, a huge index.
        let garbage: [Caravan_V1_RaftMessage] = [
            .with { $0.from = 7 },
            .with {
                $0.from = 7
                $0.to = 1
                $0.term = 3
                $0.append = .with { $0.entries = [.with { $0.type = .init(rawValue: 99) ?? .unspecified }] }
            },
            .with {
                $0.from = 7
                $0.to = UInt64.max
                $0.term = UInt64.max
                $0.heartbeat = .with { $0.commit = UInt64.max }
            },
        ]
        let summary = try await asServer.withClient(raftAddress) { client in
            try await Caravan_V1_Raft.Client(wrapping: client).stream(
                request: StreamingClientRequest(of: Caravan_V1_RaftMessage.self) { writer in
                    try await writer.write(contentsOf: garbage)
                })
        }
        // The message without a kind and the bad entry are rejected at decoding; the rest is ignored by the core.
        #expect(summary.received == 1)

        // A snapshot whose data does not match its checksum.
        let snapshot = StreamingClientRequest(of: Caravan_V1_InstallSnapshotChunk.self) { writer in
            try await writer.write(
                .with {
                    $0.from = 7
                    $0.to = 1
                    $0.term = 99
                    $0.metadata = .with {
                        $0.index = 500
                        $0.term = 99
                    }
                    $0.data = Data("not the real snapshot".utf8)
                    $0.sha256 = String(repeating: "0", count: 64)
                })
        }
        await #expect(throws: CaravanError.self) {
            try await asServer.withClient(raftAddress) { client in
                try await Caravan_V1_Raft.Client(wrapping: client).installSnapshot(request: snapshot)
            }
        }

        // Only servers may speak Raft.
        let asCLI = RPCDialer(tls: try cluster.certs.material("cli"), callTimeout: .seconds(10))
        do {
            _ = try await asCLI.withClient(raftAddress) { client in
                try await Caravan_V1_Raft.Client(wrapping: client).join(Caravan_V1_RaftJoinRequest())
            }
            Issue.record("a cli certificate was allowed to call Raft.Join")
        } catch let error as CaravanError {
            #expect(error.code == .permissionDenied, "\(error)")
        }

        // Nothing of that disturbed the cluster: a write and a consistent read still work through the target.
        _ = try await cluster.withVariables(target) { variables in
            try await variables.put(
                Caravan_V1_PutVariableRequest.with {
                    $0.variable.path = "after/hostile"
                    $0.variable.items = ["ok": "yes"]
                })
        }
        let read = try await cluster.withVariables(target) { variables in
            try await variables.get(Caravan_V1_GetVariableRequest.with { $0.path = "after/hostile" })
        }
        #expect(read.variable.items["ok"] == "yes")
        #expect(await cluster.logs(target, contain: "rejected malformed raft message"))
        #expect(await cluster.logs(target, contain: "rejected snapshot"))
    }
}
