import CaravanProto
import Foundation

/// A task's rotated log files, `alloc/logs/<task>.<stdout|stderr>.<N>`: the highest N is being written, the
/// lowest ones may already be deleted.
struct LogFiles: Sendable {
    let jail: PathJail
    let task: String
    /// "stdout" or "stderr".
    let stream: String

    /// The indices present now, ascending.
    func indices() -> [Int] {
        guard let logs = try? jail.resolve("alloc/logs"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: logs.absolute)
        else { return [] }
        let prefix = "\(task).\(stream)."
        return names.compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            return Int(digits)
        }.sorted()
    }

    /// File number `index`, checked by the jail (a task could have put a link there).
    func file(_ index: Int) throws -> FollowedFile {
        let resolved = try jail.resolve("alloc/logs/\(task).\(stream).\(index)")
        return FollowedFile(relative: resolved.relative, absolute: resolved.absolute)
    }

    /// The index of `file`, parsed from its name.
    func index(of file: FollowedFile) -> Int? {
        file.relative.split(separator: ".").last.flatMap { Int($0) }
    }

    /// The lowest file after `file` (nil: from the first), if one exists now.
    func successor(of file: FollowedFile?) -> FollowedFile? {
        let current = file.flatMap { index(of: $0) } ?? -1
        guard let next = indices().first(where: { $0 > current }) else { return nil }
        return try? self.file(next)
    }

    /// Where reading starts in files of the given sizes (ascending by index): `offset` bytes into the whole
    /// stream from its start, or back from its end; clamped to the stream.
    static func startPosition(
        sizes: [(index: Int, size: Int64)], origin: Caravan_V1_StreamOrigin, offset: Int64
    ) -> (index: Int, offset: Int64)? {
        guard let first = sizes.first, let last = sizes.last else { return nil }
        var remaining = max(0, offset)
        if origin == .end {
            for entry in sizes.reversed() {
                if remaining <= entry.size { return (entry.index, entry.size - remaining) }
                remaining -= entry.size
            }
            return (first.index, 0)
        }
        for entry in sizes {
            if remaining < entry.size { return (entry.index, remaining) }
            remaining -= entry.size
        }
        return (last.index, last.size)
    }
}
