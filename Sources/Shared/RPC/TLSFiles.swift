/// The three files every daemon and `ctl` need for mutual TLS, as given by `-ca-file`, `-cert-file`, `-key-file`.
public struct TLSFiles: Sendable, Hashable {
    public var caFile: String
    public var certFile: String
    public var keyFile: String

    public init(caFile: String, certFile: String, keyFile: String) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
