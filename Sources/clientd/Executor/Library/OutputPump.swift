#if canImport(Glibc)
    import Glibc
#endif

/// The executor's main loop: copies the task's stdout and stderr into their log files and collects the second
/// stage's messages until the child has exited and its output ended. Single-threaded, driven by poll(2) on the
/// pipes and a pidfd of the child.
struct OutputPump {
    let child: pid_t
    var stdout: (fd: Int32, log: RotatingLogFile)
    var stderr: (fd: Int32, log: RotatingLogFile)
    var stage: Int32
    /// Runs once when the child has exited, before the rest of the output is drained.
    var onChildExit: () -> Void = {}
    /// How long output may keep flowing after the child exited (e.g. from a daemon that escaped the session).
    var drainTimeout: Duration = .seconds(5)

    init(child: pid_t, stdout: (Int32, RotatingLogFile), stderr: (Int32, RotatingLogFile), stage: Int32) {
        self.child = child
        self.stdout = stdout
        self.stderr = stderr
        self.stage = stage
    }

    /// Returns the child's wait status.
    mutating func run(stageBuffer: inout LineReader) -> Int32 {
        let pidfd = (try? LinuxCalls.pidfdOpen(child)) ?? -1
        defer { if pidfd >= 0 { close(pidfd) } }
        var open: Set<Int32> = [stdout.fd, stderr.fd]
        if stage >= 0 { open.insert(stage) }
        var status: Int32?
        var deadline: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 65536)

        while status == nil || !open.isEmpty {
            if let deadline, ContinuousClock.now >= deadline { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if status == nil && pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            var timeout: Int32 = -1
            if let deadline { timeout = Self.milliseconds(until: deadline) }
            if status == nil && pidfd < 0 { timeout = 100 }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 && entry.fd != pidfd {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 {
                    close(entry.fd)
                    open.remove(entry.fd)
                    continue
                }
                buffer.withUnsafeBytes { raw in
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                    if entry.fd == stdout.fd {
                        stdout.log.write(bytes)
                    } else if entry.fd == stderr.fd {
                        stderr.log.write(bytes)
                    } else {
                        stageBuffer.append(bytes)
                    }
                }
            }
            if status == nil {
                var raw: Int32 = 0
                if waitpid(child, &raw, WNOHANG) == child {
                    status = raw
                    onChildExit()
                    deadline = ContinuousClock.now + drainTimeout
                }
            }
        }
        for fd in open { close(fd) }
        if status == nil {
            var raw: Int32 = 0
            waitpid(child, &raw, 0)
            status = raw
        }
        return status ?? 0
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let left = deadline - ContinuousClock.now
        let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms + 1))
    }
}

/// Newline-delimited messages from a pipe: read blocking for the start message, fed by the pump afterwards.
struct LineReader {
    let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    mutating func append(_ bytes: UnsafeRawBufferPointer) { pending.append(contentsOf: bytes) }

    /// Blocks until a whole line (without its newline) or end of input; nil at end of input with nothing left.
    mutating func nextLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            guard readMore() else {
                defer { pending.removeAll() }
                return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
            }
        }
    }

    /// Blocks until end of input; returns everything read.
    mutating func readToEnd() -> String? {
        String(decoding: readBytesToEnd(), as: UTF8.self)
    }

    /// Blocks until end of input; returns everything read as bytes.
    mutating func readBytesToEnd() -> [UInt8] {
        while readMore() {}
        defer { pending.removeAll() }
        return pending
    }

    /// The complete and partial lines received so far.
    mutating func allLines() -> [String] {
        defer { pending.removeAll() }
        return pending.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func readMore() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            pending.append(contentsOf: buffer[0..<count])
            return true
        }
    }
}
