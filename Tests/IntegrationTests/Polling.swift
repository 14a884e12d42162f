import Foundation

// Polling for conditions that offer no event to await (a file appearing, a port answering), with a deadline.

/// Waits for a file to exist and satisfy `ready`; returns its content.
func waitForFile(
    _ path: String, timeout: Duration = .seconds(30), _ ready: @escaping (String) -> Bool = { !$0.isEmpty }
) async throws -> String {
    var content = ""
    try await waitUntil("\(path) to be ready", timeout: timeout) {
        content = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return ready(content)
    }
    return content
}

func waitForFile(_ path: String, containing text: String) async throws -> String {
    try await waitForFile(path) { $0.contains(text) }
}

/// Polls a condition on the file system (which offers no event to await here) until it holds.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
