import Foundation

/// The `ip` invocations bridge networking needs: the bridge, named network namespaces and veth pairs. Each step
/// checks before it creates, so running a setup twice (a retry, or a restart after a crash) changes nothing.
struct LinkCommands: Sendable {
    let command: HostCommand
    /// Where `ip netns` keeps its bind mounts.
    let namespaceDir: String

    func linkExists(_ name: String) async throws(NetworkError) -> Bool {
        try await command.output("ip", ["link", "show", "dev", name]).succeeded
    }

    /// The bridge, up, with `gateway` as its address.
    func ensureBridge(_ name: String, gateway: IPv4Address, prefixLength: Int) async throws(NetworkError) {
        if try await !linkExists(name) {
            let added = try await command.output("ip", ["link", "add", "name", name, "type", "bridge"])
            if !added.succeeded && !added.stderr.contains("File exists") {
                throw NetworkError(HostCommand.failure("ip", ["link", "add", "name", name, "type", "bridge"], added))
            }
        }
        try await command.run("ip", ["addr", "replace", "\(gateway)/\(prefixLength)", "dev", name])
        try await command.run("ip", ["link", "set", "dev", name, "up"])
    }

    func namespacePath(_ name: String) -> String { namespaceDir + "/" + name }

    func namespaceExists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: namespacePath(name)) }

    /// A named namespace with its loopback up.
    func ensureNamespace(_ name: String) async throws(NetworkError) {
        if !namespaceExists(name) {
            let added = try await command.output("ip", ["netns", "add", name])
            if !added.succeeded && !added.stderr.contains("File exists") {
                throw NetworkError(HostCommand.failure("ip", ["netns", "add", name], added))
            }
        }
        try await command.run("ip", ["-n", name, "link", "set", "dev", "lo", "up"])
    }

    func deleteNamespace(_ name: String) async throws(NetworkError) {
        guard namespaceExists(name) else { return }
        let deleted = try await command.output("ip", ["netns", "delete", name])
        if !deleted.succeeded && namespaceExists(name) {
            throw NetworkError(HostCommand.failure("ip", ["netns", "delete", name], deleted))
        }
    }

    /// A veth pair: `hostSide` enslaved to `bridge` and up, its peer `eth0` inside `namespace` carrying `address`
    /// with a default route through `gateway`.
    func ensureVeth(
        hostSide: String, namespace: String, bridge: String, address: IPv4Address, prefixLength: Int,
        gateway: IPv4Address
    ) async throws(NetworkError) {
        if try await !linkExists(hostSide) {
            try await command.run(
                "ip", ["link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", namespace])
        }
        try await command.run("ip", ["link", "set", "dev", hostSide, "master", bridge, "up"])
        // With br_netfilter, DNAT back to the sender happens while the frame is still bridged, so it must be allowed
        // to leave by the port it came in on (the allocation reaching its own host port).
        try await command.run("ip", ["link", "set", "dev", hostSide, "type", "bridge_slave", "hairpin", "on"])
        let inside = [
            "addr replace \(address)/\(prefixLength) dev eth0",
            "link set dev eth0 up",
            "route replace default via \(gateway) dev eth0",
        ]
        try await command.run("ip", ["-n", namespace, "-batch", "-"], input: inside.joined(separator: "\n") + "\n")
    }

    func deleteLink(_ name: String) async throws(NetworkError) {
        let deleted = try await command.output("ip", ["link", "delete", "dev", name])
        if !deleted.succeeded, try await linkExists(name) {
            throw NetworkError(HostCommand.failure("ip", ["link", "delete", "dev", name], deleted))
        }
    }

    /// The interfaces enslaved to `bridge`.
    func ports(of bridge: String) async throws(NetworkError) -> [String] {
        let result = try await command.output("ip", ["-o", "link", "show", "master", bridge])
        guard result.succeeded else { return [] }
        return Self.interfaceNames(result.stdout)
    }

    /// Names from `ip -o link show` lines such as `7: cv0123@if2: <BROADCAST,...> ...`.
    static func interfaceNames(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces)
            return String(name.prefix { $0 != "@" })
        }
    }

    /// Sets a /proc/sys value unless it already has it.
    static func sysctl(_ key: String, _ value: String) throws(NetworkError) {
        let path = "/proc/sys/" + key
        if let current = try? String(contentsOfFile: path, encoding: .utf8),
            current.trimmingCharacters(in: .whitespacesAndNewlines) == value
        {
            return
        }
        do {
            try value.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw NetworkError("cannot set \(key) = \(value): \(error.localizedDescription)")
        }
    }
}
