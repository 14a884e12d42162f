#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file descriptor whose reads, writes and syncs retry on EINTR and fail with errors naming the file.
///
/// Snapshot files need `fsync` on the file and its directory, which Foundation's file APIs do not offer.
final class PosixFile {
    let path: String
    private var descriptor: Int32

    init(path: String, flags: Int32, mode: mode_t = 0o600) throws {
        self.path = path
        var opened: Int32 = -1
        repeat {
            opened = open(path, flags | O_CLOEXEC, mode)
        } while opened < 0 && errno == EINTR
        guard opened >= 0 else { throw PosixFile.error(path: path, operation: "open") }
        descriptor = opened
    }

    /// Opens an existing file for reading.
    static func forReading(_ path: String) throws -> PosixFile {
        try PosixFile(path: path, flags: O_RDONLY)
    }

    /// Creates a file that must not exist yet, readable and writable by the owner only.
    static func creatingNew(_ path: String) throws -> PosixFile {
        try PosixFile(path: path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
    }

    deinit {
        close()
    }

    func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    func size() throws -> UInt64 {
        var info = stat()
        guard fstat(try openDescriptor(), &info) == 0 else { throw PosixFile.error(path: path, operation: "stat") }
        return UInt64(max(info.st_size, 0))
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: UInt64) throws {
        let fd = try openDescriptor()
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = pwrite(
                    fd, buffer.baseAddress.map { $0 + written }, buffer.count - written, off_t(offset) + off_t(written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw PosixFile.error(path: path, operation: "write")
                }
                written += result
            }
        }
    }

    /// Up to `count` bytes from `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: UInt64) throws -> [UInt8] {
        let fd = try openDescriptor()
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let result = pread(
                    fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled, off_t(offset) + off_t(filled))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw PosixFile.error(path: path, operation: "read")
                }
                if result == 0 { break }
                filled += result
            }
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// Flushes the file's data and metadata to the device.
    func sync() throws {
        let fd = try openDescriptor()
        while fsync(fd) != 0 {
            if errno != EINTR { throw PosixFile.error(path: path, operation: "fsync") }
        }
    }

    private func openDescriptor() throws -> Int32 {
        guard descriptor >= 0 else {
            throw RaftStoreError.io(path: path, operation: "use", reason: "the file is already closed")
        }
        return descriptor
    }

    /// The current `errno` as a store error; running out of space gets its own case.
    static func error(path: String, operation: String) -> RaftStoreError {
        let code = errno
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .io(path: path, operation: operation, reason: String(cString: strerror(code)))
    }
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
