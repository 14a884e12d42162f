import CaravanProto
import HCL

/// Decodes one Consul-style mesh config entry (HCL or JSON, as `consul config write` takes it) and validates it.
///
/// Keys match case- and underscore-insensitively, so Consul's `PathPrefix` and `path_prefix` both read; HCL1-style
/// blocks inside list elements (`Routes = [{ Match { HTTP { ... } } }]`) read like nested objects.
public enum ConfigEntrySpec {
    /// The kinds Caravan implements, in the order error messages list them.
    public static let supportedKinds = [
        "service-defaults", "service-router", "service-splitter", "service-resolver", "service-intentions",
    ]

    static let commonKeys = ["Kind", "Name", "Namespace", "Meta"]

    /// The entry in `source`, or every problem found, each as `file:line:col: message`.
    public static func decode(_ source: SpecSource) throws(Diagnostics) -> Caravan_V1_ConfigEntry {
        let reader = try SpecDecoding.document(source, keyMatching: .normalized)
        var problems = DiagnosticCollector()
        var entry = Caravan_V1_ConfigEntry()
        entry.sourcePosition = position(of: reader)

        let kind = self.kind(reader, &problems)
        if let kind { entry.kind = kind }
        let isIntentions = kind == "service-intentions"
        if let name = ConfigEntryNames.service(reader, "Name", &problems, allowWildcard: isIntentions) {
            entry.name = name
        } else if !reader.has("Name") {
            problems.add("a config entry needs a Name (the service it configures)", at: reader.range)
        }
        if let namespace = ConfigEntryNames.label(reader, "Namespace", &problems) { entry.namespace = namespace }
        if let meta = problems.stringMap(reader, "Meta") { entry.meta = meta }

        switch kind {
        case "service-defaults":
            problems.checkKeys(reader, commonKeys + ServiceDefaultsDecoder.keys)
            entry.serviceDefaults = ServiceDefaultsDecoder.decode(reader, &problems)
        case "service-router":
            problems.checkKeys(reader, commonKeys + ServiceRouterDecoder.keys)
            entry.serviceRouter = ServiceRouterDecoder.decode(reader, &problems)
        case "service-splitter":
            problems.checkKeys(reader, commonKeys + ServiceSplitterDecoder.keys)
            entry.serviceSplitter = ServiceSplitterDecoder.decode(reader, &problems)
        case "service-resolver":
            problems.checkKeys(reader, commonKeys + ServiceResolverDecoder.keys)
            entry.serviceResolver = ServiceResolverDecoder.decode(reader, &problems)
        case "service-intentions":
            problems.checkKeys(reader, commonKeys + ServiceIntentionsDecoder.keys)
            entry.serviceIntentions = ServiceIntentionsDecoder.decode(reader, &problems)
        default:
            break
        }
        if !problems.isEmpty { throw problems.result() }
        return entry
    }

    /// `Kind`, which must be one of the supported kinds.
    static func kind(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> String? {
        guard let kind = problems.string(reader, "Kind") else {
            if !reader.has("Kind") {
                problems.add(
                    "a config entry needs a Kind, one of: " + supportedKinds.joined(separator: ", "), at: reader.range)
            }
            return nil
        }
        guard supportedKinds.contains(kind) else {
            problems.add(
                "unsupported kind \"\(kind)\"; Caravan supports: " + supportedKinds.joined(separator: ", "),
                at: SpecDecoding.valueRange(reader, "Kind"))
            return nil
        }
        return kind
    }

    /// Where the entry starts: the JSON object's brace, or the start of the HCL file.
    static func position(of reader: BodyReader) -> Caravan_V1_SourcePosition {
        var position = Caravan_V1_SourcePosition()
        position.file = reader.range.filename
        position.line = UInt32(clamping: reader.range.start.line)
        position.column = UInt32(clamping: reader.range.start.column)
        return position
    }
}
