import CaravanRPC
import State
import Testing

/// The path, namespace and item rules, shared by the service, the state machine and `ctl var`.
@Suite("Variable validation")
struct VariableValidationTests {
    @Test(
        "valid paths pass",
        arguments: [
            "a", "jobs/api/db", "nomad/jobs/web", "a.b/c-d/e_f/~g", "x..y", ".hidden/file",
            String(repeating: "p", count: 128),
        ]
    )
    func validPaths(path: String) {
        #expect(VariablePath.problem(with: path) == nil)
    }

    @Test(
        "invalid paths are refused with a message naming the path and the problem",
        arguments: [
            ("", "variable path is empty"),
            (String(repeating: "p", count: 129), "is 129 characters; the limit is 128"),
            ("jobs/a b", "variable path \"jobs/a b\" contains \" \""),
            ("jobs/é", "contains \"é\""),
            ("jobs\tx", "a control character (U+9)"),
            ("jobs:db", "contains \":\""),
            ("/jobs", "variable path \"/jobs\" must not start or end with \"/\""),
            ("jobs/", "must not start or end with \"/\""),
            ("jobs//db", "variable path \"jobs//db\" has an empty segment"),
            ("jobs/../etc", "variable path \"jobs/../etc\" has a \"..\" segment"),
            ("./jobs", "has a \".\" segment"),
            ("..", "has a \"..\" segment"),
        ]
    )
    func invalidPaths(path: String, expected: String) throws {
        let problem = try #require(VariablePath.problem(with: path))
        #expect(problem.contains(expected), "\(problem)")
        let error = #expect(throws: CaravanError.self) { try VariablePath.validate(path) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("namespaces: \"\" is default; letters, digits and - up to 128; the wildcard is not one")
    func namespaces() {
        #expect(VariableNamespace.normalized("") == "default")
        #expect(VariableNamespace.problem(with: "") == nil)
        #expect(VariableNamespace.problem(with: "team-a2") == nil)
        #expect(VariableNamespace.problem(with: String(repeating: "n", count: 128)) == nil)
        #expect(VariableNamespace.problem(with: String(repeating: "n", count: 129)) != nil)
        #expect(
            VariableNamespace.problem(with: "*") == "namespace \"*\" is invalid: use 1 to 128 letters, digits and -")
        #expect(VariableNamespace.problem(with: "a_b") != nil)
    }

    @Test("item keys: letters, digits, _ - . are fine; empty keys and other characters are named")
    func itemKeys() {
        #expect(
            VariableItems.problems(with: ["db_password": "x", "tls-cert": "y", "a.b": "", "K9": "z"], path: "p").isEmpty
        )
        #expect(
            VariableItems.problems(with: [:], path: "p") == ["variable \"p\" has no items; give at least one KEY=VALUE"]
        )
        #expect(VariableItems.problems(with: ["": "v"], path: "p") == ["variable \"p\" has an item with an empty key"])
        #expect(
            VariableItems.problems(with: ["a b": "v", "c=d": "v", "ok": "v"], path: "p") == [
                "variable \"p\" item key \"a b\" contains \" \"; allowed are letters, digits and _ - .",
                "variable \"p\" item key \"c=d\" contains \"=\"; allowed are letters, digits and _ - .",
            ]
        )
    }

    @Test("items may hold exactly 64 KiB of keys and values, not one byte more")
    func sizeLimit() throws {
        let atLimit = ["k": String(repeating: "v", count: 65_535)]
        #expect(VariableItems.size(atLimit) == 65_536)
        #expect(VariableItems.problems(with: atLimit, path: "p").isEmpty)

        let over = ["k": String(repeating: "v", count: 65_536)]
        #expect(
            VariableItems.problems(with: over, path: "p") == [
                "variable \"p\" items are 65537 bytes; the limit is 65536 (64 KiB of keys and values)"
            ]
        )
        // Multi-byte characters count by their UTF-8 bytes.
        #expect(VariableItems.size(["k": "é"]) == 3)
    }

    @Test("a put lists every problem with its items in one INVALID_ARGUMENT error")
    func putListsEveryProblem() throws {
        let error = try #require(throws: CaravanError.self) {
            try VariableValidation.validatePut(path: "p", namespace: "", items: ["a b": "1", "": "2"])
        }
        #expect(error.code == .invalidArgument)
        #expect(
            error.message
                == "variable \"p\" has an item with an empty key; "
                + "variable \"p\" item key \"a b\" contains \" \"; allowed are letters, digits and _ - ."
        )
    }

    @Test("a bad path and a bad namespace are both named")
    func addressProblems() throws {
        let error = try #require(throws: CaravanError.self) {
            try VariableValidation.validateAddress(path: "/x", namespace: "a b")
        }
        #expect(error.message.contains("variable path \"/x\""))
        #expect(error.message.contains("namespace \"a b\""))
    }
}
