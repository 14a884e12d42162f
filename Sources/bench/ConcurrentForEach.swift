/// Runs `body` for every element of `range`, at most `concurrency` at once.
func concurrentForEach(
    _ range: Range<Int>, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = range.lowerBound
        while next < range.upperBound && next - range.lowerBound < concurrency {
            let number = next
            group.addTask { try await body(number) }
            next += 1
        }
        while try await group.next() != nil {
            if next < range.upperBound {
                let number = next
                group.addTask { try await body(number) }
                next += 1
            }
        }
    }
}
