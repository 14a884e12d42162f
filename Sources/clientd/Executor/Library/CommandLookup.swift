#if canImport(Glibc)
    import Glibc
#endif

/// Finds the file a task's `command` names, the way a shell would, and says precisely why when it cannot.
public enum CommandLookup {
    public static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    /// `command` containing a `/` is taken as a path (relative ones from `baseDirectory`); otherwise each
    /// directory of `searchPath` is tried. Paths are resolved in the caller's current root.
    public static func resolve(_ command: String, searchPath: String?, baseDirectory: String) -> Result<
        String, LookupError
    > {
        if command.isEmpty { return .failure(LookupError(message: "exec: empty command")) }
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : join(baseDirectory, command)
            return check(path, command: command)
        }
        let path = (searchPath?.isEmpty == false ? searchPath : nil) ?? defaultPath
        var firstProblem: LookupError?
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = join(String(directory), command)
            switch check(candidate, command: command) {
            case .success(let found): return .success(found)
            case .failure(let problem) where problem.exists && firstProblem == nil: firstProblem = problem
            case .failure: continue
            }
        }
        return .failure(firstProblem ?? LookupError(message: "exec: \"\(command)\": not found"))
    }

    private static func check(_ path: String, command: String) -> Result<String, LookupError> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(LookupError(message: "exec: \"\(command)\": not found"))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(LookupError(message: "exec: \"\(command)\": is a directory", exists: true))
        }
        guard info.st_mode & 0o111 != 0 else {
            return .failure(LookupError(message: "exec: \"\(command)\": not executable", exists: true))
        }
        return .success(path)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Why a command could not be found; `exists` when a file was there but could not be run.
    public struct LookupError: Error, Sendable {
        public var message: String
        public var exists = false
    }
}
