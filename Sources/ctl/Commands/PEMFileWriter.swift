import CaravanRPC
import Foundation

/// Writes the files `ctl` creates (certificates, keys, snapshots): never over an existing file, exact mode,
/// synced to disk before returning.
enum PEMFileWriter {
    /// Fails before writing anything if any of `paths` exists, so a run never leaves half a set behind.
    static func refuseExisting(_ paths: [String]) throws {
        for path in paths where FileManager.default.fileExists(atPath: path) {
            throw CaravanError.failedPrecondition("\(path) already exists; refusing to overwrite it")
        }
    }

    static func write(_ contents: String, to path: String, mode: mode_t) throws {
        try write(bytes: Array(contents.utf8), to: path, mode: mode)
    }

    static func write(bytes: [UInt8], to path: String, mode: mode_t) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CaravanError.failedPrecondition("\(path): cannot create: \(reason)")
        }
        defer { close(fd) }
        // The umask may have narrowed the mode; set it exactly.
        fchmod(fd, mode)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw CaravanError.failedPrecondition("\(path): write failed: \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            throw CaravanError.failedPrecondition("\(path): fsync failed: \(String(cString: strerror(errno)))")
        }
    }
}
