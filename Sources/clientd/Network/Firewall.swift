import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Applies `FirewallRules` to the kernel with `iptables` and `iptables-restore`. Creating chains and jumps is
/// idempotent and serialized across processes by a host-wide lock (two clientds on one machine must not insert a
/// jump twice); per-allocation rules are replaced in one `iptables-restore` transaction per table, so a reader never
/// sees half of an allocation's ports.
public struct Firewall: Sendable {
    let command: HostCommand
    /// Serializes chain creation between processes.
    let lockPath: String

    public init(command: HostCommand = HostCommand(), lockPath: String = "/run/caravan-firewall.lock") {
        self.command = command
        self.lockPath = lockPath
    }

    /// Creates Caravan's chains, the jumps into them and `bridge`'s shared rules, unless they exist.
    public func ensureBridge(_ bridge: String, subnet: IPv4Subnet) async throws(NetworkError) {
        let lock = try await HostFileLock.acquire(lockPath)
        defer { lock.release() }
        for (table, chain) in [
            ("nat", FirewallRules.dnatChain), ("nat", FirewallRules.postroutingChain),
            ("filter", FirewallRules.forwardChain),
        ] {
            let created = try await command.output("iptables", ["-w", "-t", table, "-N", chain])
            if !created.succeeded && !created.stderr.contains("already exists") {
                throw NetworkError(HostCommand.failure("iptables", ["-t", table, "-N", chain], created))
            }
        }
        for jump in FirewallRules.jumps {
            let rule = jump.match + ["-j", jump.chain]
            if try await !exists(table: jump.table, chain: jump.from, rule) {
                try await command.run("iptables", ["-w", "-t", jump.table, "-I", jump.from, "1"] + rule)
            }
        }
        for rule in FirewallRules.bridgeRules(bridge: bridge, subnet: subnet) {
            if try await !exists(table: rule.table, chain: rule.chain, rule.arguments) {
                try await command.run("iptables", ["-w", "-t", rule.table, "-A", rule.chain] + rule.arguments)
            }
        }
    }

    /// Makes the allocation's DNAT rules exactly `rules`, in one transaction.
    public func replaceAllocationRules(bridge: String, allocID: String, with rules: [FirewallRules.Rule])
        async throws(NetworkError)
    {
        let tag = FirewallRules.allocationTag(bridge: bridge, allocID: allocID)
        let current = FirewallRules.lines(
            try await listing(table: "nat", chain: FirewallRules.dnatChain), taggedWith: tag)
        let wanted = rules.filter { $0.table == "nat" }.map(\.appendLine)
        let lines = FirewallRules.deleteLines(current) + wanted
        guard !lines.isEmpty else { return }
        try await command.run(
            "iptables-restore", ["-w", "--noflush"], input: FirewallRules.restoreScript(table: "nat", lines: lines))
    }

    /// Deletes the allocation's rules, if any are left.
    public func removeAllocationRules(bridge: String, allocID: String) async throws(NetworkError) {
        try await replaceAllocationRules(bridge: bridge, allocID: allocID, with: [])
    }

    /// The allocations that still have rules on `bridge`.
    public func allocationsWithRules(bridge: String) async throws(NetworkError) -> Set<String> {
        FirewallRules.allocationIDs(try await listing(table: "nat", chain: FirewallRules.dnatChain), bridge: bridge)
    }

    /// Deletes every rule tagged for `bridge`, its allocations' too (for tests and decommissioning a node). The
    /// chains and jumps stay: other bridges may use them.
    public func removeBridge(_ bridge: String) async throws(NetworkError) {
        let prefix = FirewallRules.bridgeTag(bridge)
        for (table, chain) in [
            ("nat", FirewallRules.dnatChain), ("nat", FirewallRules.postroutingChain),
            ("filter", FirewallRules.forwardChain),
        ] {
            let lines = try await listing(table: table, chain: chain).split(separator: "\n").map(String.init).filter {
                guard let tag = FirewallRules.comment(of: $0) else { return false }
                return tag == prefix || tag.hasPrefix(prefix + "/")
            }
            guard !lines.isEmpty else { continue }
            try await command.run(
                "iptables-restore", ["-w", "--noflush"],
                input: FirewallRules.restoreScript(table: table, lines: FirewallRules.deleteLines(lines)))
        }
    }

    /// `iptables -S chain`; empty when the chain does not exist yet.
    func listing(table: String, chain: String) async throws(NetworkError) -> String {
        let result = try await command.output("iptables", ["-w", "-t", table, "-S", chain])
        if result.succeeded { return result.stdout }
        if result.stderr.contains("No chain") || result.stderr.contains("does not exist") { return "" }
        throw NetworkError(HostCommand.failure("iptables", ["-t", table, "-S", chain], result))
    }

    private func exists(table: String, chain: String, _ rule: [String]) async throws(NetworkError) -> Bool {
        let result = try await command.output("iptables", ["-w", "-t", table, "-C", chain] + rule)
        if result.succeeded { return true }
        // `-C` exits 1 for "no such rule"; anything else (a missing module, a bad argument) is a real failure.
        if result.status == 1 { return false }
        throw NetworkError(HostCommand.failure("iptables", ["-t", table, "-C", chain] + rule, result))
    }
}

/// An exclusive `flock` on a file, held across awaits and shared with other processes.
struct HostFileLock: Sendable {
    let fd: Int32

    static func acquire(_ path: String) async throws(NetworkError) -> HostFileLock {
        let result: Result<HostFileLock, NetworkError> = await withCheckedContinuation { continuation in
            // A thread of its own: flock blocks, and Dispatch's shared pool must not be held up by it.
            Thread {
                let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                guard fd >= 0 else {
                    continuation.resume(returning: .failure(NetworkError("cannot open lock \(path): errno \(errno)")))
                    return
                }
                while flock(fd, LOCK_EX) != 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    close(fd)
                    continuation.resume(returning: .failure(NetworkError("cannot lock \(path): errno \(code)")))
                    return
                }
                continuation.resume(returning: .success(HostFileLock(fd: fd)))
            }.start()
        }
        return try result.get()
    }

    func release() {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }
}
