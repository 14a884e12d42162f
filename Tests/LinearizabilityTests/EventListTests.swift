import Testing

@testable import Linearizability

@Suite("Event list")
struct EventListTests {
    private func walk(_ list: EventList) -> [String] {
        var names: [String] = []
        var node = list.first
        while node != list.tail {
            names.append((list.isCall[node] ? "c" : "r") + String(list.operation[node]))
            node = list.next[node]
        }
        return names
    }

    @Test("events are in time order, calls before returns at equal times, pending returns last")
    func order() {
        let list = EventList(invokeTimes: [0, 2, 1], returnTimes: [2, nil, 3])
        #expect(walk(list) == ["c0", "c2", "c1", "r0", "r2", "r1"])
    }

    @Test("unlifting in reverse order restores the list exactly")
    func liftAndUnlift() {
        var list = EventList(invokeTimes: [0, 1, 2], returnTimes: [3, 4, 5])
        let original = walk(list)
        let first = list.first
        list.lift(first)
        #expect(walk(list) == ["c1", "c2", "r1", "r2"])
        let second = list.first
        list.lift(second)
        #expect(walk(list) == ["c2", "r2"])
        list.unlift(second)
        list.unlift(first)
        #expect(walk(list) == original)
    }
}
