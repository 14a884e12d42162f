#if canImport(Glibc)
    import Glibc
#endif

/// A host user resolved from the host's passwd/group databases before the task is chrooted.
public struct ResolvedUser: Codable, Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups, including `gid`.
    public var groups: [UInt32]

    /// Looks `name` up; nil when the host has no such user.
    public static func lookup(_ name: String) -> ResolvedUser? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        let uid = entry.pw_uid
        let gid = entry.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(name, gid, &groups, &count) < 0 { count = 0 }
        }
        var all = Array(groups.prefix(Int(max(0, count))))
        if !all.contains(gid) { all.insert(gid, at: 0) }
        return ResolvedUser(name: name, uid: uid, gid: gid, groups: all)
    }
}
