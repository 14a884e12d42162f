import CaravanProto
import HCL

extension JobDecoder {
    /// The group's `network` block; Nomad allows one per group.
    mutating func decodeNetwork(_ reader: BodyReader, owner: String) -> Caravan_V1_NetworkResource? {
        guard let block = block(reader, "network") else { return nil }
        let path = JobSourceMap.child(owner, "network", 0)
        let body = block.body
        record(body, at: path, range: block.range)
        checkKeys(body, ["mode", "port", "dns", "mbits", "hostname"])
        var network = Caravan_V1_NetworkResource()
        network.mode = string(body, "mode") ?? "host"
        if let mbits = int32(body, "mbits") { network.mbits = mbits }
        if let hostname = string(body, "hostname") { network.hostname = hostname }
        if let dns = self.block(body, "dns") {
            record(dns.body, at: path + "/dns", range: dns.range)
            checkKeys(dns.body, ["servers", "searches", "options"])
            var config = Caravan_V1_DNSConfig()
            if let servers = strings(dns.body, "servers") { config.servers = servers }
            if let searches = strings(dns.body, "searches") { config.searches = searches }
            if let options = strings(dns.body, "options") { config.options = options }
            network.dns = config
        }
        for (name, portBlock) in uniquelyLabeledBlocks(body, "port", labelName: "label", scope: "network") {
            let portBody = portBlock.body
            record(portBody, at: JobSourceMap.named(path, "port", name), range: portBlock.range)
            checkKeys(portBody, ["static", "to", "host_network"])
            var port = Caravan_V1_Port()
            port.label = name
            if let to = int32(portBody, "to") { port.to = to }
            if let network = string(portBody, "host_network") { port.hostNetwork = network }
            if let value = int32(portBody, "static") {
                port.value = value
                network.reservedPorts.append(port)
            } else {
                network.dynamicPorts.append(port)
            }
        }
        return network
    }

    /// `volume "name" { type source read_only }` blocks, keyed by name.
    mutating func decodeVolumes(_ reader: BodyReader, owner: String) -> [String: Caravan_V1_VolumeRequest] {
        var volumes: [String: Caravan_V1_VolumeRequest] = [:]
        for (name, block) in uniquelyLabeledBlocks(reader, "volume", labelName: "name", scope: "group") {
            let body = block.body
            record(body, at: JobSourceMap.named(owner, "volume", name), range: block.range)
            checkKeys(body, ["type", "source", "read_only"])
            var volume = Caravan_V1_VolumeRequest()
            volume.name = name
            volume.type = string(body, "type") ?? ""
            volume.source = string(body, "source") ?? ""
            volume.readOnly = bool(body, "read_only") ?? false
            volumes[name] = volume
        }
        return volumes
    }
}
