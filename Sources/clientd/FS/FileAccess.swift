import CaravanRPC
import Foundation

/// Reads byte ranges of files inside an allocation by their resolved path, and maps failures to RPC errors.
enum FileAccess {
    /// What the follow loops see of a file: its size and identity, or that it is gone.
    enum Observation: Equatable, Sendable {
        case missing
        case present(size: Int64, inode: UInt64)
    }

    static func observe(_ absolute: String) -> Observation {
        var status = stat()
        guard lstat(absolute, &status) == 0 else { return .missing }
        return .present(size: Int64(status.st_size), inode: UInt64(status.st_ino))
    }

    /// The error for a failed system call on `shown` (the caller's relative path).
    static func error(_ code: Int32, _ shown: String) -> CaravanError {
        switch code {
        case ENOENT, ENOTDIR: .notFound("\"\(shown)\" does not exist")
        case EACCES, EPERM: .permissionDenied("\"\(shown)\": \(String(cString: strerror(code)))")
        default: CaravanError(.internalError, "\"\(shown)\": \(String(cString: strerror(code)))")
        }
    }

    /// Opens a regular file for reading; INVALID_ARGUMENT for a directory or anything else that is not a file.
    static func openFile(_ absolute: String, shownAs shown: String) throws -> Int32 {
        let fd = open(absolute, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw error(errno, shown) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw error(code, shown)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            let what = status.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file"
            throw CaravanError.invalidArgument("\"\(shown)\" is \(what); only files can be read")
        }
        return fd
    }

    /// Calls `send` with consecutive chunks of at most `chunkSize` bytes from `offset` up to `end` (or the end
    /// of the file, whichever comes first) and returns the offset after the last byte read.
    static func read(
        _ absolute: String, shownAs shown: String, from offset: Int64, to end: Int64?, chunkSize: Int,
        send: (_ data: Data, _ offset: Int64) async throws -> Void
    ) async throws -> Int64 {
        let fd = try openFile(absolute, shownAs: shown)
        defer { close(fd) }
        var position = offset
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while end.map({ position < $0 }) ?? true {
            try Task.checkCancellation()
            let wanted = end.map { min(chunkSize, Int($0 - position)) } ?? chunkSize
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, wanted, off_t(position)) }
            guard count >= 0 else { throw error(errno, shown) }
            if count == 0 { break }
            try await send(Data(buffer[0..<count]), position)
            position += Int64(count)
        }
        return position
    }
}
