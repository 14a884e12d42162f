import CaravanProto

/// Decides whether a connection, or one HTTP request, from a source service to a destination is allowed.
///
/// The first intention in evaluation order whose names match decides; when none does, the default policy does.
/// An L4 intention decides by its action. An L7 intention decides a request by its first permission that matches
/// it; a request matching none of them falls to the default policy — never to the next intention, so a more general
/// allow cannot let through what a specific L7 intention left out. Anything that cannot be evaluated as written
/// denies: the decider never fails open. Built once from a proxy's intentions, it is reused for every request.
public struct IntentionDecider: Sendable {
    struct Compiled: Sendable {
        let intention: Caravan_V1_Intention
        let label: String
        /// One matcher per permission, or why they cannot be enforced.
        let matchers: Result<[HTTPPermissionMatcher], HTTPPermissionMatcher.CompileError>
    }

    let intentions: [Compiled]

    /// Sorts `intentions` into evaluation order and compiles their permissions.
    public init(intentions: [Caravan_V1_Intention]) {
        self.intentions = IntentionEvaluationOrder.sorted(intentions).map { intention in
            Compiled(
                intention: intention, label: IntentionText.pair(intention),
                matchers: Self.compile(intention.permissions))
        }
    }

    /// Decides a connection (`http` nil) or an HTTP request from the Check API.
    public func check(
        source: String, destination: String, http: Caravan_V1_IntentionCheckHTTP?, defaultAllow: Bool
    ) -> IntentionDecision {
        check(
            source: source, destination: destination, request: http.map(IntentionHTTPRequest.init),
            defaultAllow: defaultAllow)
    }

    /// Decides a connection (`request` nil) or one HTTP request, as the proxy does for each.
    public func check(
        source: String, destination: String, request: IntentionHTTPRequest?, defaultAllow: Bool
    ) -> IntentionDecision {
        guard let compiled = intentions.first(where: { Self.applies($0.intention, source, destination) }) else {
            return IntentionDecision(
                allowed: defaultAllow, matchedIntentionID: "",
                reason: "no intention matches; default policy is \(Self.policy(defaultAllow))")
        }
        let intention = compiled.intention
        guard !intention.permissions.isEmpty else {
            return IntentionDecision(
                allowed: intention.action == .allow, matchedIntentionID: intention.id,
                reason: "intention \(compiled.label) (\(IntentionText.action(intention.action))) matched")
        }
        guard let request else {
            // Consul's documented rule for `consul intention check` and the matching API: an intention with
            // permissions counts as a deny there, because those endpoints only see the connection (L4) and cannot
            // evaluate per-request permissions. `hasPermissions` tells a proxy with an HTTP listener to admit the
            // connection and decide each request instead.
            return IntentionDecision(
                allowed: false, matchedIntentionID: intention.id,
                reason: "intention \(compiled.label) has L7 permissions, which a connection check cannot evaluate; "
                    + "treated as deny (check an HTTP request to evaluate them)",
                hasPermissions: true)
        }
        return decide(request, by: compiled, defaultAllow: defaultAllow)
    }

    func decide(_ request: IntentionHTTPRequest, by compiled: Compiled, defaultAllow: Bool) -> IntentionDecision {
        let intention = compiled.intention
        let matchers: [HTTPPermissionMatcher]
        switch compiled.matchers {
        case .success(let compiledMatchers):
            matchers = compiledMatchers
        case .failure(let error):
            return IntentionDecision(
                allowed: false, matchedIntentionID: intention.id,
                reason: "intention \(compiled.label) cannot be enforced (\(error.message)); denied",
                hasPermissions: true)
        }
        for (index, matcher) in matchers.enumerated() where matcher.matches(request) {
            let action = intention.permissions[index].action
            return IntentionDecision(
                allowed: action == .allow, matchedIntentionID: intention.id,
                reason: "permission \(index + 1) of intention \(compiled.label) (\(IntentionText.action(action))) "
                    + "matched: \(matcher.summary)",
                hasPermissions: true)
        }
        let count = matchers.count == 1 ? "its permission matches" : "its \(matchers.count) permissions match"
        return IntentionDecision(
            allowed: defaultAllow, matchedIntentionID: "",
            reason: "intention \(compiled.label) matched, but none of \(count) \(request.method) \(request.path); "
                + "default policy is \(Self.policy(defaultAllow))",
            hasPermissions: true)
    }

    static func applies(_ intention: Caravan_V1_Intention, _ source: String, _ destination: String) -> Bool {
        (intention.sourceName == IntentionPrecedence.wildcard || intention.sourceName == source)
            && (intention.destinationName == IntentionPrecedence.wildcard || intention.destinationName == destination)
    }

    static func policy(_ allow: Bool) -> String { allow ? "allow" : "deny" }

    static func compile(_ permissions: [Caravan_V1_IntentionPermission])
        -> Result<[HTTPPermissionMatcher], HTTPPermissionMatcher.CompileError>
    {
        var matchers: [HTTPPermissionMatcher] = []
        for (index, permission) in permissions.enumerated() {
            guard permission.hasHTTP else {
                return .failure(.init(message: "permission \(index + 1) has no http match"))
            }
            do {
                matchers.append(try HTTPPermissionMatcher(permission.http))
            } catch {
                return .failure(.init(message: "permission \(index + 1) \(error.message)"))
            }
        }
        return .success(matchers)
    }
}
