import CaravanProto

/// Every intention meshd knows — stored ones and those defined by service-intentions entries — in evaluation order,
/// indexed by name.
///
/// Built once per state change (O(n log n)); lookups for one service cost the size of the answer, because meshd asks
/// for every proxy it serves, and there may be thousands.
public struct IntentionSet: Sendable {
    /// Where an intention was defined, which decides where a user has to change it.
    public enum Origin: Sendable, Equatable {
        /// Written through the Intentions API.
        case stored
        /// A source of the service-intentions entry named after its destination.
        case configEntry
    }

    /// Which side of an intention a match looks at.
    public enum MatchBy: Sendable, Equatable {
        case source
        case destination

        /// nil for an unspecified or unknown value.
        public init?(_ proto: Caravan_V1_IntentionMatchBy) {
            switch proto {
            case .source: self = .source
            case .destination: self = .destination
            default: return nil
            }
        }
    }

    struct Pair: Hashable {
        var source: String
        var destination: String
    }

    /// Every intention, normalized, in evaluation order.
    public let all: [Caravan_V1_Intention]
    let origins: [Origin]
    let byDestination: [String: [Int]]
    let wildcardDestination: [Int]
    let bySource: [String: [Int]]
    let wildcardSource: [Int]
    let byID: [String: Int]
    let byPair: [Pair: [Int]]

    /// The stored intentions plus the sources of every service-intentions entry in `configEntries` (entries of
    /// other kinds are ignored, so the whole config entry table may be passed).
    public init(stored: [Caravan_V1_Intention], configEntries: [Caravan_V1_ConfigEntry]) {
        var tagged = stored.map { (IntentionNormalization.normalized($0), Origin.stored) }
        for entry in configEntries {
            tagged += ServiceIntentionsConversion.intentions(from: entry).map { ($0, Origin.configEntry) }
        }
        tagged.sort { IntentionEvaluationOrder.precedes($0.0, $1.0) }
        all = tagged.map(\.0)
        origins = tagged.map(\.1)

        var byDestination: [String: [Int]] = [:]
        var bySource: [String: [Int]] = [:]
        var wildcardDestination: [Int] = []
        var wildcardSource: [Int] = []
        var byID: [String: Int] = [:]
        var byPair: [Pair: [Int]] = [:]
        for (index, intention) in all.enumerated() {
            if intention.destinationName == IntentionPrecedence.wildcard {
                wildcardDestination.append(index)
            } else {
                byDestination[intention.destinationName, default: []].append(index)
            }
            if intention.sourceName == IntentionPrecedence.wildcard {
                wildcardSource.append(index)
            } else {
                bySource[intention.sourceName, default: []].append(index)
            }
            if byID[intention.id] == nil { byID[intention.id] = index }
            byPair[Pair(source: intention.sourceName, destination: intention.destinationName), default: []]
                .append(index)
        }
        self.byDestination = byDestination
        self.bySource = bySource
        self.wildcardDestination = wildcardDestination
        self.wildcardSource = wildcardSource
        self.byID = byID
        self.byPair = byPair
    }

    /// The intentions that apply to `name` on the given side — those naming it exactly and those with `*` there —
    /// in evaluation order.
    public func match(by side: MatchBy, name: String) -> [Caravan_V1_Intention] {
        let (exact, wildcard) =
            switch side {
            case .destination: (byDestination[name] ?? [], wildcardDestination)
            case .source: (bySource[name] ?? [], wildcardSource)
            }
        return Self.merged(exact, wildcard).map { all[$0] }
    }

    /// What a proxy fronting `destination` enforces, in evaluation order.
    public func forDestination(_ destination: String) -> [Caravan_V1_Intention] {
        match(by: .destination, name: destination)
    }

    /// The intention with this ID.
    public func intention(id: String) -> Caravan_V1_Intention? {
        byID[id].map { all[$0] }
    }

    /// Where the intention with this ID was defined.
    public func origin(id: String) -> Origin? {
        byID[id].map { origins[$0] }
    }

    /// The intentions defined for exactly this pair of names (`*` matches only `*`), in evaluation order.
    public func intentions(source: String, destination: String) -> [Caravan_V1_Intention] {
        indexes(source: source, destination: destination).map { all[$0] }
    }

    /// Decides a connection (or a request) from `source` to `destination` against the current intentions.
    public func check(
        source: String, destination: String, http: Caravan_V1_IntentionCheckHTTP?, defaultAllow: Bool
    ) -> IntentionDecision {
        IntentionDecider(intentions: forDestination(destination))
            .check(source: source, destination: destination, http: http, defaultAllow: defaultAllow)
    }

    func indexes(source: String, destination: String) -> [Int] {
        byPair[Pair(source: source, destination: destination)] ?? []
    }

    /// Two ascending index lists merged into one ascending list (both are already in evaluation order).
    static func merged(_ left: [Int], _ right: [Int]) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(left.count + right.count)
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count && rightIndex < right.count {
            if left[leftIndex] < right[rightIndex] {
                result.append(left[leftIndex])
                leftIndex += 1
            } else {
                result.append(right[rightIndex])
                rightIndex += 1
            }
        }
        result += left[leftIndex...]
        result += right[rightIndex...]
        return result
    }
}
