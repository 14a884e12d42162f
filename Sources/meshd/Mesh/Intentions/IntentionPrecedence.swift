import CaravanProto

/// How specific an intention's names are, as a number: higher precedence is evaluated first.
///
/// With a single namespace only the two names vary. An exact destination outranks an exact source, because an
/// intention about one destination says more about what that service accepts than one about a caller does.
public enum IntentionPrecedence {
    /// The name that stands for every service.
    public static let wildcard = "*"

    /// `web → api` 9, `* → api` 8, `web → *` 6, `* → *` 5.
    public static func value(source: String, destination: String) -> UInt32 {
        // Each side counts its exact parts (namespace, name); the namespace is always the exact "default".
        // The destination's count sets the ceiling (9, 6 or 3) and every non-exact source part takes one off.
        let ceiling: UInt32 = destination == wildcard ? 6 : 9
        return source == wildcard ? ceiling - 1 : ceiling
    }

    /// The precedence of `intention`, computed from its names (the stored field is never trusted).
    public static func value(of intention: Caravan_V1_Intention) -> UInt32 {
        value(source: intention.sourceName, destination: intention.destinationName)
    }
}
