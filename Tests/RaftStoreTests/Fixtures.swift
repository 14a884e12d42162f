import Foundation
import Raft

/// Runs `body` with a fresh, empty directory that is deleted afterwards, whatever happens.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.path + "/raftstore-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Entries `indexes` in `term`, mixing every kind so that each is stored and read back.
func makeEntries(_ indexes: ClosedRange<Index>, term: Term) -> [Entry] {
    indexes.map { index in
        let kind: Entry.Kind =
            switch index % 4 {
            case 0: .noop
            case 1: .normal(Array("command \(index)".utf8))
            case 2: .normal([])
            default: .configuration(Membership(voters: [1, 2, index], context: [1: [UInt8(index % 256)]]))
            }
        return Entry(term: term, index: index, kind: kind)
    }
}

let sampleMembership = Membership(
    voters: [1, 2, 3], learners: [7], context: [1: Array("10.0.0.1:4648".utf8), 7: Array("10.0.0.7:4648".utf8)])

/// The names in `directory`, sorted.
func fileNames(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}
