import CaravanProto

/// The outcome of checking a connection or a request against intentions, with the reason a user reads.
public struct IntentionDecision: Sendable, Equatable {
    public var allowed: Bool
    /// The deciding intention; "" when the default policy decided.
    public var matchedIntentionID: String
    public var reason: String
    /// The first matching intention has L7 permissions: an HTTP listener admits the connection and decides each
    /// request; anything that can only see the connection denies it.
    public var hasPermissions: Bool

    public init(allowed: Bool, matchedIntentionID: String, reason: String, hasPermissions: Bool = false) {
        self.allowed = allowed
        self.matchedIntentionID = matchedIntentionID
        self.reason = reason
        self.hasPermissions = hasPermissions
    }

    /// The answer to `Intentions.Check` (without its query metadata).
    public func toProto() -> Caravan_V1_CheckIntentionResponse {
        var response = Caravan_V1_CheckIntentionResponse()
        response.allowed = allowed
        response.matchedIntentionID = matchedIntentionID
        response.reason = reason
        return response
    }
}
