/// Where a followed file is read next, and what to do after looking at the file again: the decision part of
/// the follow loops, free of I/O so its cases are tested directly.
struct FollowCursor: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        /// New bytes in `from..<to`.
        case read(from: Int64, to: Int64)
        /// The file shrank or was replaced by another; reading restarts at 0.
        case truncated
        /// The file is gone.
        case deleted
        /// Nothing new.
        case idle
    }

    var offset: Int64
    /// The file's identity when first seen, to notice a file replaced under the same name.
    var inode: UInt64?

    init(offset: Int64 = 0, inode: UInt64? = nil) {
        self.offset = offset
        self.inode = inode
    }

    mutating func step(_ observation: FileAccess.Observation) -> Step {
        guard case .present(let size, let inode) = observation else { return .deleted }
        defer { self.inode = inode }
        if let known = self.inode, known != inode {
            offset = 0
            return .truncated
        }
        if size < offset {
            offset = 0
            return .truncated
        }
        return size > offset ? .read(from: offset, to: size) : .idle
    }
}
