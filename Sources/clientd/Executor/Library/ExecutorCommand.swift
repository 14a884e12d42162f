#if canImport(Glibc)
    import Glibc
#endif

/// Entry point of the executor binary. (Scaffolding: the supervisor itself lands with the drivers.)
public enum ExecutorCommand {
    public static func main() {
        let message = "executor: not built yet\n"
        _ = write(2, message, message.utf8.count)
        exit(1)
    }
}
