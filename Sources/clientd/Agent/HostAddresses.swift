#if canImport(Glibc)
    import Glibc
#endif

/// Picks the address a node advertises when none is given: the bind address unless it is the wildcard, then
/// the first non-loopback IPv4 address of an interface that is up.
enum HostAddresses {
    static func advertise(bind: String) -> String {
        if bind != "0.0.0.0" && bind != "::" { return bind }
        return firstIPv4() ?? "127.0.0.1"
    }

    static func firstIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let ipv4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self)
            var raw = ipv4.pointee.sin_addr
            guard inet_ntop(AF_INET, &raw, &text, socklen_t(INET_ADDRSTRLEN)) != nil else { continue }
            return String(cString: text)
        }
        return nil
    }
}
