#if canImport(Glibc)
    import Glibc
#endif

/// Linux calls that Swift's Glibc module does not import (they sit behind `_GNU_SOURCE`), resolved once with
/// `dlsym` and called through C function pointers so the C calling convention is kept.
public enum LinuxCalls {
    public static let cloneNewNS: Int32 = 0x0002_0000
    public static let cloneNewUTS: Int32 = 0x0400_0000
    public static let cloneNewIPC: Int32 = 0x0800_0000
    public static let cloneNewPID: Int32 = 0x2000_0000
    public static let cloneNewNet: Int32 = 0x4000_0000
    /// `POSIX_SPAWN_SETSID` from glibc's spawn.h.
    public static let spawnSetSID: Int16 = 0x80

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias IntToInt = @convention(c) (Int32) -> Int32
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static func resolve<T>(_ name: String, as type: T.Type) -> T? {
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    private static let pipe2Function = resolve("pipe2", as: Pipe2.self)
    private static let unshareFunction = resolve("unshare", as: IntToInt.self)
    private static let setnsFunction = resolve("setns", as: SetNS.self)
    private static let pidfdOpenFunction = resolve("pidfd_open", as: PidfdOpen.self)
    private static let closeFromFunction = resolve("posix_spawn_file_actions_addclosefrom_np", as: CloseFrom.self)
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let addChdirFunction = resolve("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

    /// A close-on-exec pipe: (read end, write end).
    public static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let result: Int32
        if let pipe2Function {
            result = pipe2Function(&fds, O_CLOEXEC)
        } else {
            result = Glibc.pipe(&fds)
            if result == 0 {
                _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            }
        }
        guard result == 0 else { throw SystemError("pipe") }
        return (fds[0], fds[1])
    }

    public static func unshare(_ flags: Int32) throws(SystemError) {
        guard let unshareFunction else { throw SystemError("unshare", errno: ENOSYS) }
        guard unshareFunction(flags) == 0 else { throw SystemError("unshare") }
    }

    public static func setns(_ fd: Int32, _ type: Int32) throws(SystemError) {
        guard let setnsFunction else { throw SystemError("setns", errno: ENOSYS) }
        guard setnsFunction(fd, type) == 0 else { throw SystemError("setns") }
    }

    /// A pollable descriptor that becomes readable when `pid` exits (pidfd_open(2)).
    public static func pidfdOpen(_ pid: pid_t) throws(SystemError) -> Int32 {
        guard let pidfdOpenFunction else { throw SystemError("pidfd_open", errno: ENOSYS) }
        let fd = pidfdOpenFunction(pid, 0)
        guard fd >= 0 else { throw SystemError("pidfd_open \(pid)") }
        return fd
    }

    /// Makes a spawned child start in `directory` (glibc 2.29 and later).
    public static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ directory: String)
        throws(SystemError)
    {
        guard let addChdirFunction else { throw SystemError("posix_spawn_file_actions_addchdir_np", errno: ENOSYS) }
        let result = directory.withCString { addChdirFunction(&actions, $0) }
        guard result == 0 else { throw SystemError("posix_spawn chdir \(directory)", errno: result) }
    }

    /// Makes a spawned child close every descriptor from `lowest` up, so nothing leaks into tasks.
    public static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        guard let closeFromFunction else { return }
        _ = closeFromFunction(&actions, lowest)
    }
}

/// A failed system call: what was attempted and the errno it failed with.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var errno: Int32

    public init(_ operation: String, errno code: Int32 = Glibc.errno) {
        self.operation = operation
        self.errno = code
    }

    public var description: String { "\(operation): \(errnoText(errno))" }
}

/// `strerror` as a Swift string.
public func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
