import ArgumentParser
import CaravanDaemon
import Foundation
import HCL
import Spec

/// A spec file argument with Nomad's variable flags: `-var k=v`, `-var-file F`, and `CARAVAN_VAR_k` variables.
struct SpecFileOptions: ParsableArguments {
    @OptionGroup var variables: SpecVariableOptions

    @Argument(help: "The file: HCL, or JSON when it ends in .json. - reads standard input.")
    var file: String

    func source() throws -> SpecSource {
        try Self.read(file)
    }

    func variableInputs() throws -> VariableInputs {
        try variables.inputs()
    }

    static func read(_ path: String) throws -> SpecSource {
        if path == "-" {
            return SpecSource(filename: "<stdin>", bytes: Array(FileHandle.standardInput.readDataToEndOfFile()))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(path): cannot read the file")
        }
        return SpecSource(filename: path, bytes: Array(data))
    }
}

/// Prints every diagnostic as `file:line:col: message` on stderr and exits 1, so scripts and editors can jump to it.
func reportingDiagnostics(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let diagnostics as Diagnostics {
        printDiagnostics(diagnostics)
        throw ExitCode.failure
    }
}

/// Prints every diagnostic as `Error: file:line:col: message` (or `Warning:`) on stderr.
func printDiagnostics(_ diagnostics: Diagnostics) {
    for diagnostic in diagnostics.items {
        let prefix = diagnostic.severity == .warning ? "Warning: " : "Error: "
        FileHandle.standardError.write(Data("\(prefix)\(diagnostic)\n".utf8))
    }
}

/// Nomad's variable flags alone, for verbs whose argument is a file only sometimes (`job inspect -local`).
struct SpecVariableOptions: ParsableArguments {
    @Option(name: .hashicorp("var"), help: "Set a variable: -var name=value (repeatable).")
    var assignments: [String] = []

    @Option(name: .hashicorp("var-file"), help: "Read variables from an HCL file of name = value lines (repeatable).")
    var varFiles: [String] = []

    func inputs() throws -> VariableInputs {
        VariableInputs(
            environment: ProcessInfo.processInfo.environment,
            files: try varFiles.map(SpecFileOptions.read),
            assignments: assignments
        )
    }
}
