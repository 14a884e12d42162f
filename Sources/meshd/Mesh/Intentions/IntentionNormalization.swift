import CaravanProto

/// Puts an intention in the form meshd stores and serves, so every replica and proxy sees the same value.
public enum IntentionNormalization {
    /// Namespaces "default", source type "consul", methods upper-cased and precedence computed from the names.
    public static func normalized(_ intention: Caravan_V1_Intention) -> Caravan_V1_Intention {
        var copy = intention
        if copy.sourceNamespace.isEmpty { copy.sourceNamespace = IntentionValidator.defaultNamespace }
        if copy.destinationNamespace.isEmpty { copy.destinationNamespace = IntentionValidator.defaultNamespace }
        if copy.sourceType.isEmpty { copy.sourceType = IntentionValidator.consulSourceType }
        copy.permissions = copy.permissions.map(normalized)
        copy.precedence = IntentionPrecedence.value(of: copy)
        return copy
    }

    static func normalized(_ permission: Caravan_V1_IntentionPermission) -> Caravan_V1_IntentionPermission {
        guard permission.hasHTTP else { return permission }
        var copy = permission
        copy.http.methods = permission.http.methods.map { $0.uppercased() }
        return copy
    }
}
