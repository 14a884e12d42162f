import CaravanProto
import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// Lets meshd reuse a leaf a proxy presents again (after a reconnect) instead of signing a new one: reads what
/// the leaf claims, then checks it chains to a current root and is inside its validity window.
public enum LeafCertificateCheck {
    /// What a served leaf chain says about itself.
    public struct Leaf: Sendable, Equatable {
        public var spiffeID: SPIFFEID
        /// Hex, colon-separated, as in `LeafCert.serial_number`.
        public var serialNumber: String
        /// The serial as a number when it fits in 64 bits (Caravan's serials are Raft indexes, so always).
        public var serial: UInt64?
        public var validAfter: Date
        public var validBefore: Date
        /// The issuing key's identifier (hex, colon-separated): equals `CARoot.signing_key_id` of the root
        /// whose key signed the leaf.
        public var authorityKeyID: String?
        /// ``WorkloadKey`` key ID of the leaf's public key.
        public var keyID: String

        /// The root among `roots` whose key signed the leaf, matched by key identifier.
        public func issuingRoot(in roots: [Caravan_V1_CARoot]) -> Caravan_V1_CARoot? {
            guard let authorityKeyID else { return nil }
            return roots.first { $0.signingKeyID == authorityKeyID }
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// The leaf chains to the root with ID `rootID` and is valid now.
        case valid(Leaf, rootID: String)
        /// Why the leaf cannot be reused.
        case invalid(String)
    }

    /// Reads the leaf (the first certificate) of a PEM chain; checks nothing about trust.
    public static func parse(chainPEM: String) throws(ConnectCAError) -> Leaf {
        let chain = try CertificatePEM.chain(chainPEM, what: "the leaf chain")
        guard let leaf = chain.first else { throw .malformedPEM(what: "the leaf chain", reason: "no certificate") }
        return try describe(leaf)
    }

    /// Valid only when the leaf is a workload certificate whose chain (using the intermediates that follow it)
    /// ends at one of `roots`, every certificate on the way being valid at `now`.
    public static func verify(chainPEM: String, roots: [Caravan_V1_CARoot], now: Date) async -> Outcome {
        let chain: [Certificate]
        let leaf: Leaf
        do {
            chain = try CertificatePEM.chain(chainPEM, what: "the leaf chain")
            guard let first = chain.first else { return .invalid("the leaf chain holds no certificate") }
            leaf = try describe(first)
            if let constraints = try? first.extensions.basicConstraints,
                case .isCertificateAuthority = constraints
            {
                return .invalid("the first certificate is a CA, not a workload leaf")
            }
        } catch {
            return .invalid("\(error)")
        }
        if now < leaf.validAfter {
            return .invalid("the leaf is not valid before \(leaf.validAfter.formatted(.iso8601))")
        }
        if now >= leaf.validBefore {
            return .invalid("the leaf expired at \(leaf.validBefore.formatted(.iso8601))")
        }

        var anchors: [(certificate: Certificate, root: Caravan_V1_CARoot)] = []
        for root in roots {
            if let certificate = try? CertificatePEM.certificate(root.rootCertPem, what: "root \(root.id)") {
                anchors.append((certificate, root))
            }
        }
        guard !anchors.isEmpty else { return .invalid("no usable CA root to verify against") }

        var verifier = Verifier(rootCertificates: CertificateStore(anchors.map(\.certificate))) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: chain[0], intermediates: CertificateStore(chain.dropFirst()))
        switch result {
        case .validCertificate(let validated):
            guard let anchor = anchors.first(where: { $0.certificate == validated.root }) else {
                return .invalid("the leaf chained to a certificate that is not one of the given roots")
            }
            if !anchor.root.trustDomain.isEmpty, anchor.root.trustDomain != leaf.spiffeID.trustDomain {
                return .invalid(
                    "the leaf's trust domain \(leaf.spiffeID.trustDomain) is not its root's (\(anchor.root.trustDomain))"
                )
            }
            return .valid(leaf, rootID: anchor.root.id)
        case .couldNotValidate(let failures):
            let reasons = failures.map { "\($0.policyFailureReason)" }
            let detail = reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
            return .invalid("the leaf does not chain to a trusted CA root\(detail)")
        }
    }

    private static func describe(_ certificate: Certificate) throws(ConnectCAError) -> Leaf {
        let uris = CertificatePEM.uris(in: certificate)
        guard uris.count == 1, let uri = uris.first else {
            throw .invalidArgument("a workload leaf carries exactly one URI SAN, found \(uris.count)")
        }
        guard let spiffeID = SPIFFEID(uri: uri) else {
            throw .invalidArgument("the leaf's URI SAN \"\(uri)\" is not a Caravan service identity")
        }
        let serialBytes = certificate.serialNumber.bytes.drop { $0 == 0 }
        let serial: UInt64? =
            serialBytes.count <= 8 ? serialBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
        let authorityKeyID = (try? certificate.extensions.authorityKeyIdentifier)?.keyIdentifier
        return Leaf(
            spiffeID: spiffeID,
            serialNumber: HexText.serial(certificate.serialNumber.bytes),
            serial: serial,
            validAfter: certificate.notValidBefore,
            validBefore: certificate.notValidAfter,
            authorityKeyID: authorityKeyID.map { HexText.colonSeparated($0) },
            keyID: try WorkloadKey.keyID(certificate.publicKey)
        )
    }
}
