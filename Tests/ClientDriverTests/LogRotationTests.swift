import ClientDrivers
import Foundation
import TaskExecutor
import TestSupport
import Testing

@Suite("task log rotation")
struct LogRotationTests {
    @Test("10 KB through 1000-byte files keeps exactly the newest 3 files, each full, with no gap")
    func rotationThroughDriver() async throws {
        let fixture = try TaskFixture()
        defer { fixture.cleanup() }
        let driver = RawExecDriver(enabled: true, executorPath: TaskFixture.executorPath)
        var launch = fixture.launch(
            "/bin/sh", ["-c", "i=0; while [ $i -lt 100 ]; do printf '%099d\\n' $i; i=$((i+1)); done"])
        launch.logMaxFileSizeBytes = 1000
        launch.logMaxFiles = 3
        let handle = try await driver.start(launch, stateDir: fixture.stateDir)
        #expect(await driver.wait(handle).succeeded)
        let written = (0..<100).map { String(format: "%099d\n", $0) }.joined()

        let indices = RotatingLogFile.indices(directory: fixture.logDir, baseName: "web.stdout")
        #expect(indices == [7, 8, 9])
        let kept = indices.map { fixture.log("stdout", $0) }
        for file in kept { #expect(file.utf8.count <= 1000) }
        #expect(written.hasSuffix(kept.joined()))
        #expect(kept.joined().utf8.count == 3000)
        driver.destroy(handle)
    }

    @Test("a new writer appends to the newest file until it is full, then continues numbering")
    func continuesAfterRestart() throws {
        let dir = try TemporaryDirectory.make(prefix: "caravan-logs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try RotatingLogFile(directory: dir, baseName: "t.stderr", maxFiles: 5, maxBytes: 1000)
        write(first, count: 1500, byte: "a")
        first.close()
        #expect(RotatingLogFile.indices(directory: dir, baseName: "t.stderr") == [0, 1])

        let second = try RotatingLogFile(directory: dir, baseName: "t.stderr", maxFiles: 2, maxBytes: 1000)
        write(second, count: 700, byte: "b")
        second.close()
        #expect(RotatingLogFile.indices(directory: dir, baseName: "t.stderr") == [1, 2])
        let one = try String(contentsOfFile: dir + "/t.stderr.1", encoding: .utf8)
        let two = try String(contentsOfFile: dir + "/t.stderr.2", encoding: .utf8)
        #expect(one == String(repeating: "a", count: 500) + String(repeating: "b", count: 500))
        #expect(two == String(repeating: "b", count: 200))
    }

    private func write(_ log: RotatingLogFile, count: Int, byte: Character) {
        let bytes = Array(String(repeating: byte, count: count).utf8)
        bytes.withUnsafeBytes { log.write($0) }
    }
}
