import Testing

@testable import Linearizability

@Suite("Search memo")
struct SearchMemoTests {
    @Test("a configuration is recorded once, and using more pending operations is subsumed")
    func subsumption() {
        var memo = SearchMemo<Int>()
        let completed = Bitset(capacity: 4)
        let none = Bitset(capacity: 2)
        var one = none
        one.insert(0)
        var other = none
        other.insert(1)
        func record(_ pending: Bitset, _ state: Int) -> Bool {
            memo.insert(completed: completed, pending: pending, state: state)
        }
        let answers = [
            record(one, 7), record(one, 7), record(none, 7), record(one, 7), record(one, 8), record(other, 9),
        ]
        #expect(answers == [true, false, true, false, true, true])
    }
}
