/// One problem found in a source file, positioned so a user can find and fix it.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var message: String
    public var range: SourceRange

    public init(severity: Severity = .error, message: String, range: SourceRange) {
        self.severity = severity
        self.message = message
        self.range = range
    }

    public static func error(_ message: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(severity: .error, message: message, range: range)
    }

    public static func warning(_ message: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(severity: .warning, message: message, range: range)
    }

    /// `file:line:col: message`.
    public var description: String { "\(range): \(message)" }
}

/// Several diagnostics reported at once, in source order; thrown by every HCL entry point.
public struct Diagnostics: Error, Sendable, Hashable, CustomStringConvertible, Sequence {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic] = []) {
        self.items = items
    }

    public init(_ item: Diagnostic) {
        self.items = [item]
    }

    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }

    /// One diagnostic per line.
    public var description: String { items.map(\.description).joined(separator: "\n") }

    public func makeIterator() -> IndexingIterator<[Diagnostic]> { items.makeIterator() }

    public mutating func append(_ item: Diagnostic) { items.append(item) }
    public mutating func append(contentsOf other: Diagnostics) { items.append(contentsOf: other.items) }

    /// The diagnostics ordered by position (stable for equal positions).
    func sorted() -> Diagnostics {
        Diagnostics(
            items.enumerated().sorted { lhs, rhs in
                if lhs.element.range.filename != rhs.element.range.filename { return lhs.offset < rhs.offset }
                if lhs.element.range.start.offset != rhs.element.range.start.offset {
                    return lhs.element.range.start.offset < rhs.element.range.start.offset
                }
                return lhs.offset < rhs.offset
            }.map(\.element)
        )
    }
}
