#if canImport(Glibc)
    import Glibc
#endif

/// `posix_spawn` with what supervisors need: descriptors mapped onto fixed numbers (everything else closed),
/// default signal dispositions and an empty signal mask, and optionally a new session. posix_spawn uses
/// CLONE_VFORK, so it is safe from multi-threaded processes where `fork` is not.
public enum Spawn {
    /// What a target descriptor of the child is connected to.
    public enum Source: Sendable {
        /// An open descriptor of the caller.
        case descriptor(Int32)
        /// A file opened in the child.
        case file(path: String, flags: Int32)
    }

    /// Spawns `path` with `arguments` (argv[0] included) and `environment`; returns the child's PID.
    public static func spawn(
        _ path: String, arguments: [String], environment: [String], descriptors: [(target: Int32, source: Source)],
        newSession: Bool, directory: String? = nil
    ) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var flags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newSession { flags |= LinuxCalls.spawnSetSID }
        posix_spawnattr_setflags(&attributes, flags)

        var highest: Int32 = 2
        for (target, source) in descriptors {
            highest = max(highest, target)
            switch source {
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .file(let file, let openFlags):
                posix_spawn_file_actions_addopen(&actions, target, file, openFlags, 0o644)
            }
        }
        LinuxCalls.addCloseFrom(&actions, highest + 1)
        if let directory { try LinuxCalls.addChdir(&actions, directory) }

        let argv = CStringArray(arguments)
        let envp = CStringArray(environment)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv.pointers, envp.pointers)
        guard result == 0 else { throw SystemError("spawn \(path)", errno: result) }
        return pid
    }
}

/// A NULL-terminated array of C strings that lives as long as this value.
final class CStringArray {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}
