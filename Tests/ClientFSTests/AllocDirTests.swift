import Foundation
import TestSupport
import Testing

@testable import ClientFS

@Suite("allocation directories: build, destroy and the janitor (needs root for the secrets tmpfs)", .serialized)
struct AllocDirTests {
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    static func owner(_ path: String) -> (uid: UInt32, gid: UInt32)? {
        var info = stat()
        return lstat(path, &info) == 0 ? (info.st_uid, info.st_gid) : nil
    }

    static func mounts(under path: String) throws -> [String] {
        try MountTable.mountPoints().filter { $0 == path || $0.hasPrefix(path + "/") }
    }

    @Test("build lays out the tree with its modes and a tmpfs on each task's secrets; building again changes nothing")
    func build() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-allocdir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let alloc = AllocDir(root: root + "/alloc", allocID: "a1")
        defer { try? alloc.destroy() }
        let nobody = TaskOwner(uid: 65534, gid: 65534)
        try alloc.build(tasks: ["web", "db"]) { $0 == "web" ? nobody : nil }

        #expect(Self.mode(alloc.sharedDir) == 0o777)
        #expect(Self.mode(alloc.logsDir) == 0o777)
        #expect(Self.mode(alloc.sharedDataDir) == 0o777)
        #expect(Self.mode(alloc.sharedTmpDir) == 0o1777)
        let web = alloc.taskDir("web")
        #expect(Self.mode(web.tmpDir) == 0o1777)
        #expect(Self.mode(web.localDir) == 0o755)
        #expect(Self.owner(web.localDir)?.uid == 65534)
        #expect(Self.mode(web.secretsDir) == 0o700)
        #expect(Self.owner(web.secretsDir)?.uid == 65534 && Self.owner(web.secretsDir)?.gid == 65534)
        #expect(Self.owner(alloc.taskDir("db").secretsDir)?.uid == 0)
        #expect(Self.mode(alloc.taskDir("db").localDir) == 0o777)

        let real = try #require(AllocDir.realPath(alloc.path))
        let secrets = [real + "/db/secrets", real + "/web/secrets"]
        #expect(try Self.mounts(under: real).sorted() == secrets)
        let mountLine = try MountTable.contents()
            .split(separator: "\n").first { $0.contains(" \(real)/web/secrets ") }
        #expect(mountLine?.contains(" - tmpfs ") == true && mountLine?.contains("nosuid") == true)

        try Data("keep".utf8).write(to: URL(fileURLWithPath: alloc.sharedDataDir + "/state"))
        try Data("token".utf8).write(to: URL(fileURLWithPath: web.secretsDir + "/token"))
        try alloc.build(tasks: ["web", "db"]) { $0 == "web" ? nobody : nil }
        #expect(try Self.mounts(under: real).sorted() == secrets, "no second tmpfs over the first")
        #expect(FileManager.default.contents(atPath: alloc.sharedDataDir + "/state") == Data("keep".utf8))
        #expect(FileManager.default.contents(atPath: web.secretsDir + "/token") == Data("token".utf8))
    }

    @Test("destroy unmounts the secrets, removes the tree and leaves what links inside pointed at")
    func destroy() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-allocdir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = root + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: outside + "/file"))
        let alloc = AllocDir(root: root + "/alloc", allocID: "a2")
        try alloc.build(tasks: ["web"])
        try FileManager.default.createSymbolicLink(atPath: alloc.sharedDataDir + "/out", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: alloc.taskDir("web").localDir + "/file", withDestinationPath: outside + "/file")
        let real = try #require(AllocDir.realPath(alloc.path))
        #expect(try Self.mounts(under: real).count == 1)

        try alloc.destroy()
        #expect(try Self.mounts(under: real).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: alloc.path))
        #expect(FileManager.default.contents(atPath: outside + "/file") == Data("precious".utf8))
        try alloc.destroy()  // already gone: fine
    }

    @Test("build refuses a shared dir a task replaced with a link, and leaves the link's target alone")
    func plantedLink() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-allocdir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let alloc = AllocDir(root: root + "/alloc", allocID: "a3")
        defer { try? alloc.destroy() }
        try alloc.build(tasks: ["web"])
        let target = root + "/target"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        #expect(chmod(target, 0o700) == 0)
        try FileManager.default.removeItem(atPath: alloc.sharedDataDir)
        try FileManager.default.createSymbolicLink(atPath: alloc.sharedDataDir, withDestinationPath: target)
        #expect(throws: AllocDirError.self) { try alloc.build(tasks: ["web"]) }
        #expect(Self.mode(target) == 0o700)
    }

    @Test("a root that cannot be created fails with the path and the system's reason")
    func unwritableRoot() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-allocdir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data().write(to: URL(fileURLWithPath: root + "/file"))
        let alloc = AllocDir(root: root + "/file/alloc", allocID: "a4")
        let error = try #require(throws: AllocDirError.self) { try alloc.build(tasks: ["web"]) }
        #expect(error.description == "mkdir \(root)/file/alloc: Not a directory")
        #expect(throws: AllocDirError.self) { try alloc.build(tasks: ["../x"]) }
    }

    @Test("the janitor removes the directories of allocations not kept, and nothing else")
    func janitor() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-allocdir")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for id in ["keep", "stale-1", "stale-2"] { try AllocDir(root: root, allocID: id).build(tasks: ["web"]) }
        defer { try? AllocDir(root: root, allocID: "keep").destroy() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/not-an-alloc"))
        let removed = try AllocDirJanitor.removeAllocDirs(root: root, keeping: ["keep"])
        #expect(removed == ["stale-1", "stale-2"])
        let left = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        #expect(left == ["keep", "not-an-alloc"])
        let real = try #require(AllocDir.realPath(root))
        #expect(try Self.mounts(under: real) == [real + "/keep/web/secrets"])
        #expect(try AllocDirJanitor.removeAllocDirs(root: root + "/missing", keeping: []) == [])
    }

    @Test("mountinfo fields are unescaped")
    func unescape() {
        let line = "44 27 0:41 / /tmp/with\\040space rw,relatime - tmpfs tmpfs rw\n45 27 0:42 / /b rw - tmpfs t rw"
        #expect(MountTable.parse(line) == ["/tmp/with space", "/b"])
    }
}
