/// The user a task runs as, who must own its `local` and `secrets` directories.
public struct TaskOwner: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}
