#if canImport(Glibc)
    import Glibc
#endif

/// Entry point of the executor binary: `executor <state-dir>` supervises one task; the `--init` and `--shim`
/// forms are its own second stages, spawned from `/proc/self/exe`.
public enum ExecutorCommand {
    public static func main() -> Never {
        let arguments = CommandLine.arguments
        switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
        case (3, "--init"): NamespaceInit.run(stateDir: arguments[2])
        case (3, "--shim"): RawShim.run(stateDir: arguments[2])
        case (2, let stateDir) where !stateDir.hasPrefix("-"):
            var supervisor = Supervisor(stateDir: stateDir)
            exit(supervisor.run())
        default:
            log("usage: executor <state-dir>\n(started by clientd: reads <state-dir>/launch.json, writes exit.json)")
            exit(2)
        }
    }
}
