/// The version every daemon and `ctl` report.
public enum CaravanVersion {
    public static let current = "0.1.0"
}
