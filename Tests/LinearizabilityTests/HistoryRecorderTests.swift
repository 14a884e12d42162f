import Linearizability
import Testing

@Suite("History recorder")
struct HistoryRecorderTests {
    @Test("stamps follow real time, and unanswered operations stay pending")
    func stamps() {
        let recorder = HistoryRecorder<KVInput, KVOutput>()
        let put = recorder.invoke(client: 1, .put("x", "a"))
        let lost = recorder.invoke(client: 2, .put("x", "b"))
        recorder.complete(put, .ok(version: 4))
        recorder.abandon(lost, .unknown)
        let get = recorder.invoke(client: 3, .get("x"))
        recorder.complete(get, .found("b", version: 9))
        _ = recorder.invoke(client: 4, .delete("x"))

        let history = recorder.operations(unresolved: .unknown)
        #expect(history.map(\.invokeTime) == [1, 2, 4, 6])
        #expect(history.map(\.returnTime) == [3, nil, 5, nil])
        #expect(history[3].output == .unknown)
        #expect(checkKV(history) == .linearizable)
    }

    @Test("concurrent tasks can record without losing entries")
    func concurrent() async {
        let recorder = HistoryRecorder<KVInput, KVOutput>()
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<8 {
                group.addTask {
                    for _ in 0..<100 {
                        let ticket = recorder.invoke(client: client, .get("x"))
                        recorder.complete(ticket, .notFound)
                    }
                }
            }
        }
        let history = recorder.operations(unresolved: .unknown)
        #expect(history.count == 800)
        #expect(Set(history.map(\.invokeTime)).count == 800)
        #expect(checkKV(history) == .linearizable)
    }
}
