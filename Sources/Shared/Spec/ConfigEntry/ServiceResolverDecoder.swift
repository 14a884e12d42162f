import CaravanProto
import HCL

/// Reads the body of a `service-resolver` entry: subsets, redirect or failover, timeouts, load balancing.
enum ServiceResolverDecoder {

    static let keys = ["DefaultSubset", "Subsets", "Redirect", "Failover", "ConnectTimeout", "LoadBalancer"]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceResolver {
        var resolver = Caravan_V1_ServiceResolver()
        if let map = problems.block(reader, "Subsets") {
            for member in problems.members(of: map) {
                guard ConfigEntryNames.isDNSLabel(member.name) else {
                    problems.add(
                        "subset name \"\(member.name)\" is not a DNS label: \(ConfigEntryNames.labelRule)",
                        at: member.range)
                    continue
                }
                resolver.subsets[member.name] = subset(member.body, &problems)
            }
        }
        let defined = Set(resolver.subsets.keys)
        if let name = problems.string(reader, "DefaultSubset"), !name.isEmpty {
            if !defined.contains(name) {
                let known = definedList(reader, resolver)
                problems.add(
                    "DefaultSubset \"\(name)\" is not one of the subsets defined in Subsets\(known)",
                    at: SpecDecoding.valueRange(reader, "DefaultSubset"))
            }
            resolver.defaultSubset = name
        }
        if let block = problems.block(reader, "Redirect") {
            resolver.redirect = redirect(block, &problems)
            for key in ["Subsets", "DefaultSubset", "Failover"] where reader.has(key) {
                problems.add("Redirect and \(key) cannot both be set", at: SpecDecoding.keyRange(reader, key))
            }
        }
        if let map = problems.block(reader, "Failover") {
            for member in problems.members(of: map) {
                if member.name != "*" && !defined.contains(member.name) {
                    problems.add(
                        "Failover \"\(member.name)\" must name a subset defined in Subsets or be \"*\"",
                        at: member.range)
                }
                let failover = self.failover(member.body, member.range, defined, &problems)
                resolver.failover[member.name] = failover
            }
        }
        if let timeout = problems.duration(reader, "ConnectTimeout") { resolver.connectTimeout = timeout }
        if let block = problems.block(reader, "LoadBalancer") {
            resolver.loadBalancer = LoadBalancerDecoder.decode(block.body, &problems)
        }
        return resolver
    }

    static func definedList(_ reader: BodyReader, _ resolver: Caravan_V1_ServiceResolver) -> String {
        guard !resolver.subsets.isEmpty else { return " (none are)" }
        return " (" + resolver.subsets.keys.sorted().joined(separator: ", ") + ")"
    }

    /// `v1 = { Filter = "Service.Meta.version == v1", OnlyPassing = true }`.
    static func subset(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_ServiceResolverSubset
    {
        problems.checkKeys(reader, ["Filter", "OnlyPassing"])
        var subset = Caravan_V1_ServiceResolverSubset()
        subset.filter = problems.string(reader, "Filter") ?? ""
        subset.onlyPassing = problems.bool(reader, "OnlyPassing") ?? false
        return subset
    }

    static func redirect(_ block: BlockReader, _ problems: inout DiagnosticCollector)
        -> Caravan_V1_ServiceResolverRedirect
    {
        let reader = block.body
        let keys = ["Service", "ServiceSubset", "Namespace", "Datacenter"]
        problems.checkKeys(reader, keys)
        var redirect = Caravan_V1_ServiceResolverRedirect()
        if let service = ConfigEntryNames.service(reader, "Service", &problems) { redirect.service = service }
        if let subset = ConfigEntryNames.label(reader, "ServiceSubset", &problems) { redirect.serviceSubset = subset }
        if let namespace = ConfigEntryNames.label(reader, "Namespace", &problems) { redirect.namespace = namespace }
        if let datacenter = ConfigEntryNames.label(reader, "Datacenter", &problems) { redirect.datacenter = datacenter }
        if !keys.contains(where: reader.has) {
            problems.add(
                "Redirect must set at least one of \(SpecDecoding.alternatives(keys))", at: block.range)
        }
        return redirect
    }

    static func failover(
        _ reader: BodyReader, _ range: SourceRange, _ defined: Set<String>, _ problems: inout DiagnosticCollector
    ) -> Caravan_V1_ServiceResolverFailover {
        let keys = ["Service", "ServiceSubset", "Namespace", "Datacenters"]
        problems.checkKeys(reader, keys)
        var failover = Caravan_V1_ServiceResolverFailover()
        if let service = ConfigEntryNames.service(reader, "Service", &problems) { failover.service = service }
        if let subset = ConfigEntryNames.label(reader, "ServiceSubset", &problems) {
            if failover.service.isEmpty && !defined.contains(subset) {
                problems.add(
                    "ServiceSubset \"\(subset)\" is not one of the subsets defined in Subsets",
                    at: SpecDecoding.valueRange(reader, "ServiceSubset"))
            }
            failover.serviceSubset = subset
        }
        if let namespace = ConfigEntryNames.label(reader, "Namespace", &problems) { failover.namespace = namespace }
        if let datacenters = problems.strings(reader, "Datacenters") {
            for datacenter in datacenters where !ConfigEntryNames.isDNSLabel(datacenter) {
                problems.add(
                    "Datacenters: \"\(datacenter)\" is not a valid datacenter name: \(ConfigEntryNames.labelRule)",
                    at: SpecDecoding.valueRange(reader, "Datacenters"))
            }
            failover.datacenters = datacenters
        }
        if !keys.contains(where: reader.has) {
            problems.add("a failover must set at least one of \(SpecDecoding.alternatives(keys))", at: range)
        }
        return failover
    }
}
