import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import Testing

@testable import ClientFS

@Suite("ClientFS keeps every request inside its allocation directory", .timeLimit(.minutes(1)))
struct PathJailTests {
    @Test(
        "traversal, links out of the allocation and task secrets are refused with a precise status",
        arguments: [
            ("../../etc/passwd", RPCError.Code.invalidArgument, "contains \"..\""),
            ("alloc/../../x", .invalidArgument, "contains \"..\""),
            ("/../etc/passwd", .invalidArgument, "contains \"..\""),
            ("alloc/data/root/etc/passwd", .permissionDenied, "resolves outside the allocation directory"),
            ("alloc/data/root", .permissionDenied, "resolves outside the allocation directory"),
            ("web/secrets/token", .permissionDenied, "secrets directory"),
            ("/web/secrets", .permissionDenied, "secrets directory"),
            ("web/./secrets/token", .permissionDenied, "secrets directory"),
            ("alloc/data/peek/token", .permissionDenied, "resolves into a task's secrets directory"),
        ])
    func refused(path: String, code: RPCError.Code, text: String) async throws {
        let bed = try FSTestBed()
        try bed.write("web/secrets/token", "s3cret")
        try FileManager.default.createSymbolicLink(
            atPath: bed.alloc.path + "/alloc/data/root", withDestinationPath: "/")
        try FileManager.default.createSymbolicLink(
            atPath: bed.alloc.path + "/alloc/data/peek", withDestinationPath: "../../web/secrets")
        try await bed.withClientFS { fs in
            let stat = await FSTestBed.failure {
                _ = try await fs.stat(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = path
                    })
            }
            #expect(stat?.code == code, "stat \(path): \(String(describing: stat))")
            #expect(stat?.message.contains(text) == true, "stat \(path): \(String(describing: stat))")
            let cat = await FSTestBed.failure {
                try await fs.cat(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.path = path
                    }
                ) { response in for try await _ in response.messages {} }
            }
            #expect(cat?.code == code, "cat \(path): \(String(describing: cat))")
        }
    }

    @Test("a link that stays inside the allocation is followed; a leading / is the allocation directory")
    func insideLinks() async throws {
        let bed = try FSTestBed()
        try bed.write("alloc/data/real.txt", "inside")
        try FileManager.default.createSymbolicLink(
            atPath: bed.alloc.path + "/web/local/shortcut", withDestinationPath: "../../alloc/data/real.txt")
        let text = try await bed.withClientFS { fs in
            try await fs.cat(
                .with {
                    $0.allocID = bed.alloc.allocID
                    $0.path = "/web/local/shortcut"
                }
            ) { response in
                var text = ""
                for try await frame in response.messages { text += frame.text }
                return text
            }
        }
        #expect(text == "inside")
    }

    @Test("unknown or malformed allocation ids and task names are refused")
    func badIDs() async throws {
        let bed = try FSTestBed()
        try await bed.withClientFS { fs in
            let unknown = await FSTestBed.failure { _ = try await fs.list(.with { $0.allocID = UUID().uuidString }) }
            #expect(unknown?.code == .notFound)
            for id in ["..", "../\(bed.alloc.allocID)", "a/b", ""] {
                let bad = await FSTestBed.failure { _ = try await fs.list(.with { $0.allocID = id }) }
                #expect(bad?.code == .invalidArgument, "alloc id \(id): \(String(describing: bad))")
            }
            for task in ["../web", "web/../db", "..", ""] {
                let bad = await FSTestBed.failure {
                    try await fs.logs(
                        .with {
                            $0.allocID = bed.alloc.allocID
                            $0.task = task
                        }
                    ) { response in for try await _ in response.messages {} }
                }
                #expect(bad?.code == .invalidArgument, "task \(task): \(String(describing: bad))")
            }
            let noTask = await FSTestBed.failure {
                try await fs.logs(
                    .with {
                        $0.allocID = bed.alloc.allocID
                        $0.task = "cache"
                    }
                ) { response in for try await _ in response.messages {} }
            }
            #expect(noTask?.code == .notFound)
            #expect(noTask?.message.contains("has no task \"cache\"") == true, "\(String(describing: noTask))")
        }
    }
}
