import CaravanRPC
import Foundation

/// Maps a path a caller asks for onto the allocation's directory, refusing anything that would leave it or
/// reach a task's secrets: `..` anywhere, links that resolve outside, and `<task>/secrets`.
///
/// A leading `/` means the allocation directory itself, as in Nomad (`/alloc/logs` = `alloc/logs`).
struct PathJail: Sendable {
    /// The allocation directory with every link resolved.
    let base: String
    let allocID: String

    /// The jail of allocation `allocID` under `root`; NOT_FOUND when this node has no such allocation.
    init(root: String, allocID: String) throws {
        guard Self.isValidAllocID(allocID) else {
            throw CaravanError.invalidArgument("\"\(allocID)\" is not a valid allocation id")
        }
        let directory = root + "/" + allocID
        var info = stat()
        guard let base = AllocDir.realPath(directory), stat(base, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR
        else {
            throw CaravanError.notFound("allocation \(allocID) has no directory on this node")
        }
        self.base = base
        self.allocID = allocID
    }

    static func isValidAllocID(_ id: String) -> Bool {
        AllocDir.isValidTaskName(id)
    }

    /// The requested path's components with "" and "." dropped; INVALID_ARGUMENT for `..`.
    static func components(of path: String) throws -> [String] {
        if path.contains("\0") { throw CaravanError.invalidArgument("path contains a NUL byte") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.contains("..") {
            throw CaravanError.invalidArgument(
                "path \"\(path)\" contains \"..\": paths are relative to the allocation directory and stay inside it")
        }
        return parts.filter { $0 != "." }
    }

    /// Whether `components` (relative to the allocation directory) lie in a task's `secrets` directory.
    static func isSecret(_ components: [String]) -> Bool {
        components.count >= 2 && components[0] != "alloc" && components[1] == "secrets"
    }

    /// The file `path` names, resolved and checked.
    func resolve(_ path: String) throws -> JailedPath {
        let parts = try Self.components(of: path)
        let relative = parts.joined(separator: "/")
        if Self.isSecret(parts) {
            throw CaravanError.permissionDenied(
                "\"\(relative)\" is inside a task's secrets directory, which is not readable")
        }
        let joined = parts.isEmpty ? base : base + "/" + relative
        guard let real = AllocDir.realPath(joined) else {
            let reason = errno
            if reason == ENOENT || reason == ENOTDIR {
                throw CaravanError.notFound("\"\(relative)\" does not exist in allocation \(allocID)")
            }
            throw CaravanError(.internalError, "\(relative): \(String(cString: strerror(reason)))")
        }
        guard real == base || real.hasPrefix(base + "/") else {
            throw CaravanError.permissionDenied("\"\(relative)\" resolves outside the allocation directory")
        }
        let realParts = real == base ? [] : real.dropFirst(base.count + 1).split(separator: "/").map(String.init)
        if Self.isSecret(realParts) {
            throw CaravanError.permissionDenied("\"\(relative)\" resolves into a task's secrets directory")
        }
        return JailedPath(relative: relative, absolute: real)
    }
}

/// A path inside an allocation: as the caller named it (normalised) and where it really is on disk.
struct JailedPath: Sendable, Equatable {
    /// Relative to the allocation directory, "" for the directory itself.
    let relative: String
    /// Absolute, with every link resolved; inside the allocation directory.
    let absolute: String
}
