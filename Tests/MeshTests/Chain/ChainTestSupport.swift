import CaravanProto
import Mesh
import Spec

/// Builds config entry graphs from Consul-style HCL, as users write them, and compiles chains in dc1.
enum ChainTestSupport {
    static let datacenter = "dc1"
    static let trustDomain = "11111111-2222-3333-4444-555555555555.consul"

    static func entry(_ hcl: String) throws -> Caravan_V1_ConfigEntry {
        try ConfigEntrySpec.decode(SpecSource(filename: "entry.hcl", text: hcl))
    }

    static func graph(_ entries: String...) throws -> MeshConfigGraph {
        MeshConfigGraph(entries: try entries.map(entry))
    }

    static func request(_ service: String) -> ChainCompileRequest {
        ChainCompileRequest(service: service, datacenter: datacenter, trustDomain: trustDomain)
    }

    static func compile(_ service: String, _ graph: MeshConfigGraph) throws -> CompiledChain {
        try DiscoveryChainCompiler.compile(request(service), in: graph)
    }

    /// The message compiling `service` fails with, or nil when it compiles.
    static func failure(_ service: String, _ graph: MeshConfigGraph) -> String? {
        do {
            _ = try DiscoveryChainCompiler.compile(request(service), in: graph)
            return nil
        } catch {
            return error.description
        }
    }

    static func defaults(_ service: String, _ protocolName: String) -> String {
        """
        Kind = "service-defaults"
        Name = "\(service)"
        Protocol = "\(protocolName)"
        """
    }

    static func key(_ kind: String, _ name: String) -> ConfigEntryKey {
        ConfigEntryKey(kind: kind, name: name)
    }
}
