import Foundation

/// The mount points of this process's mount namespace, read from `/proc/self/mountinfo`.
public enum MountTable {
    /// Every mount point, unescaped (the kernel writes a space as `\040`).
    public static func mountPoints(source: String = "/proc/self/mountinfo") throws -> [String] {
        parse(try contents(source))
    }

    /// The whole mount table as text.
    static func contents(_ source: String = "/proc/self/mountinfo") throws -> String {
        // Read to the end by hand: proc files report size 0, and readers that trust the size stop early.
        let fd = open(source, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AllocDirError.system("open", source) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count >= 0 else {
                if errno == EINTR { continue }
                throw AllocDirError.system("read", source)
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The fifth field of each mountinfo line.
    static func parse(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count > 4 ? unescape(String(fields[4])) : nil
        }
    }

    /// Undoes the kernel's octal escapes (`\040` space, `\011` tab, `\012` newline, `\134` backslash).
    static func unescape(_ field: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(field.utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "\\"), index + 3 < input.count,
                let value = octal(input[(index + 1)..<(index + 4)])
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }

    /// Whether `path` is itself a mount point.
    static func isMountPoint(_ path: String) throws -> Bool {
        try mountPoints().contains(path)
    }

    /// Mounts a fresh tmpfs on `path` (nosuid, nodev, noexec) owned by `owner`, with `mode`.
    static func mountTmpfs(at path: String, size: String, mode: mode_t, owner: TaskOwner?) throws {
        var options = "size=\(size),mode=\(String(mode, radix: 8))"
        if let owner { options += ",uid=\(owner.uid),gid=\(owner.gid)" }
        let flags = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC)
        guard mount("tmpfs", path, "tmpfs", flags, options) == 0 else {
            throw AllocDirError.system("mount tmpfs on", path)
        }
    }

    /// Detaches the mount at `path` (lazily: it goes once nothing uses it). Not mounted is not an error.
    public static func detach(_ path: String) throws {
        guard umount2(path, Int32(MNT_DETACH)) == 0 else {
            if errno == EINVAL || errno == ENOENT { return }
            throw AllocDirError.system("unmount", path)
        }
    }
}

extension MountTable {
    /// Detaches every mount at or under `root`, deepest first: for cleaning up after tools and tests that ran
    /// allocations in a temporary directory.
    public static func detachAll(under root: String) {
        let points = ((try? mountPoints()) ?? []).filter { $0 == root || $0.hasPrefix(root + "/") }
        for point in Set(points).sorted(by: { $0.count > $1.count }) { try? detach(point) }
    }
}
