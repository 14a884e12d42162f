import CaravanProto
import ClientFS
import Foundation
import TestSupport
import Testing

@testable import ClientAgent

/// A dispatched job's payload written into the task's `local/` dir before it starts, and every way out of
/// `local/` refused.
@Suite("dispatch payload file")
struct DispatchPayloadFileTests {
    /// The fixture allocation on the fake driver, as a dispatched child whose task wants its payload in `file`.
    static func launch(file: String, payload: String, root: String) -> TaskLaunchBuilder {
        var allocation = fixtureAllocation()
        allocation.job.payload = Data(payload.utf8)
        allocation.job.taskGroups[0].tasks[0].driver = "fake"
        allocation.job.taskGroups[0].tasks[0].dispatchPayload = .with { $0.file = file }
        return TaskLaunchBuilder(
            allocation: allocation, task: allocation.job.taskGroups[0].tasks[0], node: fixtureNode(),
            region: "global", dir: AllocDir(root: root, allocID: allocation.id), driver: FakeDriver(),
            hostVolumes: [:], network: nil)
    }

    @Test("the payload lands in local/<file> when the task is built, in subdirectories too")
    func written() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-payload")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in ["input.txt", "in/put/data.json", "./x/../y.txt"] {
            let builder = Self.launch(file: file, payload: "payload of \(file)", root: root)
            _ = try builder.build()
            let local = builder.dir.taskDir("server").localDir
            let expected = try #require(normalizePath(local + "/" + file))
            let written = try String(contentsOfFile: expected, encoding: .utf8)
            #expect(written == "payload of \(file)")
        }
    }

    @Test("no payload or no dispatch_payload block writes nothing")
    func nothing() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-payload")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let taskDir = AllocDir(root: root, allocID: "a").taskDir("t")
        var task = Caravan_V1_Task()
        try DispatchPayloadFile.write(Data("x".utf8), for: task, taskDir: taskDir)
        task.dispatchPayload = .with { $0.file = "input.txt" }
        try DispatchPayloadFile.write(Data(), for: task, taskDir: taskDir)
        #expect(!FileManager.default.fileExists(atPath: taskDir.localDir + "/input.txt"))
    }

    @Test(
        "a file name leading out of local/ is a setup failure and nothing is written",
        arguments: ["../input.txt", "../../../etc/caravan-payload", "a/../../b", ".", "sub/.."])
    func escape(_ file: String) throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-payload")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let builder = Self.launch(file: file, payload: "secret", root: root)
        let error = #expect(throws: TaskSetupError.self) { _ = try builder.build() }
        #expect(
            error?.description.contains("dispatch_payload file \"\(file)\"") == true, "\(String(describing: error))")
        let files = FileManager.default.enumerator(atPath: root)?.allObjects.compactMap { $0 as? String } ?? []
        let written = files.filter { path in
            (try? String(contentsOfFile: root + "/" + path, encoding: .utf8)) == "secret"
        }
        #expect(written.isEmpty, "\(written)")
    }

    @Test("a symlink in local/ pointing elsewhere is not followed out of it")
    func symlink() throws {
        let root = try TemporaryDirectory.make(prefix: "caravan-payload")
        let outside = try TemporaryDirectory.make(prefix: "caravan-payload-outside")
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: outside)
        }
        let taskDir = AllocDir(root: root, allocID: "a").taskDir("t")
        try FileManager.default.createDirectory(atPath: taskDir.localDir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: taskDir.localDir + "/link", withDestinationPath: outside)
        let task = Caravan_V1_Task.with { $0.dispatchPayload = .with { $0.file = "link/input.txt" } }
        #expect(throws: TaskSetupError.self) {
            try DispatchPayloadFile.write(Data("secret".utf8), for: task, taskDir: taskDir)
        }
        #expect(!FileManager.default.fileExists(atPath: outside + "/input.txt"))
    }
}
