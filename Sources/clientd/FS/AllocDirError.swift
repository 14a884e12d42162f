import Foundation

/// A failure to build, clean or remove an allocation directory, naming the path and the system's reason.
public struct AllocDirError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. "mkdir", "mount tmpfs on".
    public var operation: String
    public var path: String
    public var reason: String

    public init(_ operation: String, _ path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    /// The error for a failed system call, with the text of `code` (the current `errno` by default).
    static func system(_ operation: String, _ path: String, _ code: Int32 = errno) -> AllocDirError {
        AllocDirError(operation, path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(operation) \(path): \(reason)" }
}
