import Foundation

/// A small tmpfs mounted at a fresh directory, to test what happens when the disk is full. Needs root (CI
/// runs as root); `unmount()` removes it again.
public struct TinyFileSystem: Sendable {
    public let path: String
    let root: String

    /// Mounts a tmpfs of `size` (as mount(8) reads it, e.g. "256k").
    public static func mount(size: String) throws -> TinyFileSystem {
        let root = try TemporaryDirectory.make(prefix: "caravan-tiny")
        let path = root + "/tiny"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let result = try runSync("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        guard result.status == 0 else {
            try? FileManager.default.removeItem(atPath: root)
            throw TinyFileSystemError(message: "cannot mount a tmpfs (these tests need root): \(result.errors)")
        }
        return TinyFileSystem(path: path, root: root)
    }

    public func unmount() throws {
        // Lazily: a store that still has a file open (closed a moment later) must not keep the mount alive.
        let result = try Self.runSync("/bin/umount", ["-l", path])
        guard result.status == 0 else { throw TinyFileSystemError(message: "umount \(path): \(result.errors)") }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs a program to completion; returns its exit status and what it wrote to standard error.
    static func runSync(_ program: String, _ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

public struct TinyFileSystemError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
