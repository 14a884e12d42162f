import ArgumentParser
import CaravanDaemon
import CaravanRPC
import Foundation
import HCL

/// Runs a verb that prints as it goes and decides its own exit status (`ctl job run` exits 2 on placement
/// failures, `job plan` 1 when it would change something).
///
/// Job-file problems print as `file:line:col: message` lines, argument problems (`VarUsageError`) as one line with
/// status 64, anything else (a refused call, say) as one `Error:` line; those last two exit `errorStatus`, which is
/// 1 except for `job plan` (255, as Nomad, because 1 already means "changes").
func runVerb(errorStatus: Int32 = 1, _ body: () async throws -> Int32) async throws {
    let status: Int32
    do {
        status = try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let diagnostics as Diagnostics {
        printDiagnostics(diagnostics)
        throw ExitCode(errorStatus)
    } catch let usage as VarUsageError {
        FileHandle.standardError.write(Data("Error: \(usage.message)\n".utf8))
        throw ExitCode.validationFailure
    } catch {
        FileHandle.standardError.write(Data("Error: \(RPCErrorText.describe(error))\n".utf8))
        throw ExitCode(errorStatus)
    }
    if status != 0 { throw ExitCode(status) }
}

/// The `-namespace` flag of the job, eval, alloc and node verbs.
struct NamespaceOption: ParsableArguments, Sendable {
    @Option(name: .hashicorp("namespace"), help: "Namespace (env CARAVAN_NAMESPACE; default \"default\").")
    var namespace: String?

    /// The flag, else CARAVAN_NAMESPACE, else "" (the server reads it as "default").
    var resolved: String {
        namespace ?? ConnectionOptions.environment("CARAVAN_NAMESPACE") ?? ""
    }
}
