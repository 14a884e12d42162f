import ArgumentParser
import Spec

/// `-cas -modify-index N`: write or delete only if the entry is still at index N (0: only if it does not exist).
struct CheckAndSetOptions: ParsableArguments, Sendable {
    @Flag(name: .hashicorp("cas"), help: "Check-and-set: act only if the entry's modify index is -modify-index.")
    var cas = false

    @Option(name: .hashicorp("modify-index"), help: "The modify index -cas expects (0: the entry must not exist).")
    var modifyIndex: UInt64?

    func validate() throws {
        if cas && modifyIndex == nil { throw ValidationError("-cas needs -modify-index N") }
        if !cas && modifyIndex != nil { throw ValidationError("-modify-index applies only with -cas") }
    }

    /// The index to send as `check_index`, or nil for an unconditional write.
    var checkIndex: UInt64? { cas ? modifyIndex : nil }
}

/// `-kind K -name N`, both required and checked before dialing.
struct ConfigEntryAddress: ParsableArguments, Sendable {
    @Option(name: .hashicorp("kind"), help: "The entry's kind, e.g. service-router.") var kind: String?
    @Option(name: .hashicorp("name"), help: "The entry's name (the service it configures).") var name: String?

    func validate() throws {
        guard let kind, !kind.isEmpty else { throw ValidationError("-kind is required") }
        try Self.check(kind: kind)
        guard let name, !name.isEmpty else { throw ValidationError("-name is required") }
    }

    var resolvedKind: String { kind ?? "" }
    var resolvedName: String { name ?? "" }

    /// Refuses a kind Caravan does not implement, naming the ones it does.
    static func check(kind: String) throws {
        guard ConfigEntrySpec.supportedKinds.contains(kind) else {
            throw ValidationError(
                "unknown -kind \"\(kind)\"; use one of " + ConfigEntrySpec.supportedKinds.joined(separator: ", "))
        }
    }
}
