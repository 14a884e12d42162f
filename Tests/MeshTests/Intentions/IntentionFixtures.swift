import CaravanProto

/// Builders for intentions, permissions and service-intentions entries, so each test states only what it is about.
enum IntentionFixtures {
    static func intention(
        _ source: String, _ destination: String, _ action: Caravan_V1_IntentionAction = .allow, id: String = ""
    ) -> Caravan_V1_Intention {
        var intention = Caravan_V1_Intention()
        intention.id = id.isEmpty ? "\(source)->\(destination)" : id
        intention.sourceName = source
        intention.destinationName = destination
        intention.action = action
        return intention
    }

    static func l7(
        _ source: String, _ destination: String, _ permissions: [Caravan_V1_IntentionPermission], id: String = ""
    ) -> Caravan_V1_Intention {
        var intention = intention(source, destination, .unspecified, id: id)
        intention.permissions = permissions
        return intention
    }

    static func permission(
        _ action: Caravan_V1_IntentionAction, exact: String = "", prefix: String = "", regex: String = "",
        methods: [String] = [], headers: [Caravan_V1_HTTPHeaderMatch] = []
    ) -> Caravan_V1_IntentionPermission {
        var permission = Caravan_V1_IntentionPermission()
        permission.action = action
        permission.http.pathExact = exact
        permission.http.pathPrefix = prefix
        permission.http.pathRegex = regex
        permission.http.methods = methods
        permission.http.header = headers
        return permission
    }

    static func header(
        _ name: String, present: Bool = false, exact: String = "", prefix: String = "", suffix: String = "",
        regex: String = "", invert: Bool = false
    ) -> Caravan_V1_HTTPHeaderMatch {
        var header = Caravan_V1_HTTPHeaderMatch()
        header.name = name
        header.present = present
        header.exact = exact
        header.prefix = prefix
        header.suffix = suffix
        header.regex = regex
        header.invert = invert
        return header
    }

    static func source(
        _ name: String, _ action: Caravan_V1_IntentionAction = .allow,
        permissions: [Caravan_V1_IntentionPermission] = []
    ) -> Caravan_V1_SourceIntention {
        var source = Caravan_V1_SourceIntention()
        source.name = name
        source.action = permissions.isEmpty ? action : .unspecified
        source.permissions = permissions
        return source
    }

    static func entry(_ destination: String, _ sources: [Caravan_V1_SourceIntention]) -> Caravan_V1_ConfigEntry {
        var entry = Caravan_V1_ConfigEntry()
        entry.kind = "service-intentions"
        entry.name = destination
        entry.serviceIntentions.sources = sources
        return entry
    }

    /// "source → destination" for each intention, to compare orders readably.
    static func pairs(_ intentions: [Caravan_V1_Intention]) -> [String] {
        intentions.map { "\($0.sourceName) → \($0.destinationName)" }
    }
}
