import CaravanRPC
import Testing

@Suite("Agent identities in certificate SANs")
struct AgentIdentityTests {
    @Test(
        "role and region are read from <role>.<region>.caravan",
        arguments: [
            ("server.global.caravan", AgentRole.server, "global"),
            ("client.eu-west-1.caravan", .client, "eu-west-1"),
            ("MESH.Global.Caravan", .mesh, "global"),
            ("cli.r1.caravan", .cli, "r1"),
        ])
    func parses(name: String, role: AgentRole, region: String) {
        #expect(AgentIdentity(dnsName: name) == AgentIdentity(role: role, region: region))
    }

    @Test(
        "other names carry no role",
        arguments: [
            "localhost", "server.global.nomad", "admin.global.caravan", "server..caravan", "server.a.b.caravan",
            "server.-bad.caravan", "", "server.global.caravan.evil.com",
        ])
    func rejects(name: String) {
        #expect(AgentIdentity(dnsName: name) == nil)
    }
}
