#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loopback ports that were free a moment ago, for daemons that must know each other's ports before they start.
///
/// A cluster's members are told every peer address on their command line, so binding port 0 in each daemon is not
/// enough. Every socket stays open until all ports are chosen, so the kernel cannot hand out the same port twice;
/// another process could still take one before the daemon binds it, which on a quiet machine is rare.
enum FreePorts {
    static func pick(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let socket = socket(AF_INET, streamSocketType, 0)
            guard socket >= 0 else { throw BenchError("socket(): errno \(errno)") }
            sockets.append(socket)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(socket, generic, length) == 0 && getsockname(socket, generic, &length) == 0
                }
            }
            guard bound else { throw BenchError("binding a free loopback port: errno \(errno)") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    #if canImport(Glibc)
        static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    #else
        static let streamSocketType = SOCK_STREAM
    #endif
}

/// A failure of the benchmark harness itself (not of the system under test), with a message to act on.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
