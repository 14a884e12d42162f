import HCL

/// Applies a `client { ... }` block: servers, host volumes, options, metadata and bridge networking.
enum AgentClientDecoder {

    static let keys = [
        "enabled", "servers", "host_volume", "options", "meta", "bridge_network_name", "bridge_network_subnet",
        "network_interface",
    ]

    static func apply(_ reader: BodyReader, to client: inout AgentConfig.Client, _ problems: inout DiagnosticCollector)
    {
        problems.checkKeys(reader, keys)
        if let enabled = problems.bool(reader, "enabled") { client.enabled = enabled }
        if let servers = problems.strings(reader, "servers") { client.servers = servers }
        var seen: Set<String> = []
        for block in problems.labeledBlocks(reader, "host_volume") {
            guard seen.insert(block.label).inserted else {
                problems.add(
                    "host_volume \"\(block.label)\" is declared more than once in this file", at: block.range)
                continue
            }
            if let volume = hostVolume(block.label, block.range, block.body, &problems) {
                client.hostVolumes[volume.name] = volume
            }
        }
        if let options = problems.stringMap(reader, "options") { client.options.merge(options) { $1 } }
        if let meta = problems.stringMap(reader, "meta") { client.meta.merge(meta) { $1 } }
        if let name = AgentConfigDecoder.nonEmpty(reader, "bridge_network_name", &problems) {
            client.bridgeNetworkName = name
        }
        if let subnet = problems.string(reader, "bridge_network_subnet") {
            if isIPv4CIDR(subnet) {
                client.bridgeNetworkSubnet = subnet
            } else {
                problems.add(
                    "bridge_network_subnet must be an IPv4 CIDR block such as \"172.26.64.0/20\", but it is "
                        + "\"\(subnet)\"", at: SpecDecoding.valueRange(reader, "bridge_network_subnet"))
            }
        }
        if let interface = AgentConfigDecoder.nonEmpty(reader, "network_interface", &problems) {
            client.networkInterface = interface
        }
    }

    /// `host_volume "mysql" { path = "/opt/mysql/data" read_only = false }`; the path must be absolute.
    static func hostVolume(
        _ name: String, _ range: SourceRange, _ body: BodyReader, _ problems: inout DiagnosticCollector
    )
        -> AgentConfig.HostVolume?
    {
        problems.checkKeys(body, ["path", "read_only"])
        let readOnly = problems.bool(body, "read_only") ?? false
        guard let path = problems.string(body, "path") else {
            if !body.has("path") { problems.add("host_volume \"\(name)\" needs a path", at: range) }
            return nil
        }
        guard path.hasPrefix("/") else {
            problems.add(
                "host_volume \"\(name)\": path must be absolute, but it is \"\(path)\"",
                at: SpecDecoding.valueRange(body, "path"))
            return nil
        }
        return AgentConfig.HostVolume(name: name, path: path, readOnly: readOnly)
    }

    /// `a.b.c.d/n` with each part in range.
    static func isIPv4CIDR(_ text: String) -> Bool {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, let bits = Int(halves[1]), (0...32).contains(bits) else { return false }
        let octets = halves[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                octet.count <= 3 && octet.allSatisfy(\.isASCII) && Int(octet).map { (0...255).contains($0) } == true
            }
    }
}
