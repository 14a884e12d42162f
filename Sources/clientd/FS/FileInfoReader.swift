import CaravanProto
import CaravanRPC
import Foundation
import SwiftProtobuf

/// Builds `FileInfo` messages from `stat` results: the entries of a listing and the subject of a Stat.
enum FileInfoReader {
    /// The metadata of `absolute` (links followed: jailed paths are already resolved), shown under `name`.
    static func info(of absolute: String, name: String) throws -> Caravan_V1_FileInfo {
        var status = stat()
        guard stat(absolute, &status) == 0 else { throw FileAccess.error(errno, name) }
        return info(status, name: name, contentTypeOf: absolute)
    }

    /// The entries of the directory `absolute`, sorted by name. Links are shown as links (not followed).
    static func list(_ absolute: String, shownAs relative: String) throws -> [Caravan_V1_FileInfo] {
        let fd = open(absolute, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileAccess.error(errno, relative) }
        defer { close(fd) }
        let names: [String]
        do {
            names = try TreeRemover.entries(of: fd, displayPath: relative)
        } catch {
            throw CaravanError(.internalError, "\(error)")
        }
        return names.sorted().compactMap { name in
            var status = stat()
            // An entry removed since readdir is simply not listed.
            guard fstatat(fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
            return info(status, name: name, contentTypeOf: absolute + "/" + name)
        }
    }

    static func info(_ status: stat, name: String, contentTypeOf path: String) -> Caravan_V1_FileInfo {
        let kind = status.st_mode & S_IFMT
        return Caravan_V1_FileInfo.with {
            $0.name = name
            $0.isDir = kind == S_IFDIR
            $0.size = Int64(status.st_size)
            $0.mode = symbolicMode(UInt32(status.st_mode))
            $0.fileMode = UInt32(status.st_mode)
            $0.modTime = Google_Protobuf_Timestamp(
                seconds: Int64(status.st_mtim.tv_sec), nanos: Int32(status.st_mtim.tv_nsec))
            if kind == S_IFREG { $0.contentType = ContentSniffer.sniff(fileAt: path) ?? "" }
        }
    }

    /// `ls -l` style: type letter, then rwx for owner, group and others with set-id and sticky bits.
    static func symbolicMode(_ mode: UInt32) -> String {
        let type: Character =
            switch mode & UInt32(S_IFMT) {
            case UInt32(S_IFDIR): "d"
            case UInt32(S_IFLNK): "l"
            case UInt32(S_IFIFO): "p"
            case UInt32(S_IFSOCK): "s"
            case UInt32(S_IFCHR): "c"
            case UInt32(S_IFBLK): "b"
            default: "-"
            }
        var text = String(type)
        let special: [(set: UInt32, on: Character, off: Character)] = [
            (UInt32(S_ISUID), "s", "S"), (UInt32(S_ISGID), "s", "S"), (UInt32(S_ISVTX), "t", "T"),
        ]
        for (shift, extra) in zip([6, 3, 0], special) {
            let bits = (mode >> UInt32(shift)) & 0o7
            text.append(bits & 0o4 != 0 ? "r" : "-")
            text.append(bits & 0o2 != 0 ? "w" : "-")
            let execute = bits & 0o1 != 0
            if mode & extra.set != 0 {
                text.append(execute ? extra.on : extra.off)
            } else {
                text.append(execute ? "x" : "-")
            }
        }
        return text
    }
}
