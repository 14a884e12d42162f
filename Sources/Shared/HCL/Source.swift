/// A point in a source file: 1-based line and column (counted in Unicode scalars) and 0-based byte offset.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// The first character of a file.
    public static let start = SourcePosition(line: 1, column: 1, offset: 0)

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        lhs.offset < rhs.offset
    }

    public var description: String { "\(line):\(column)" }
}

/// A span of a named source file, from `start` up to (not including) `end`.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public var filename: String
    public var start: SourcePosition
    public var end: SourcePosition

    public init(filename: String, start: SourcePosition, end: SourcePosition) {
        self.filename = filename
        self.start = start
        self.end = end
    }

    /// An empty range at the start of `filename`, for values that come from outside any file.
    public init(filename: String) {
        self.init(filename: filename, start: .start, end: .start)
    }

    /// The range from the start of `self` to the end of `other`.
    public func through(_ other: SourceRange) -> SourceRange {
        SourceRange(filename: filename, start: start, end: max(end, other.end))
    }

    /// `file:line:column` of the start, the prefix of every diagnostic.
    public var description: String { "\(filename):\(start.line):\(start.column)" }
}
