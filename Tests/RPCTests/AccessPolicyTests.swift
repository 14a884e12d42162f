import CaravanRPC
import Foundation
import Testing

@Suite("Who may call what")
struct AccessPolicyTests {
    let authorizer = RoleAuthorizer(policy: .caravan, region: "global")

    func identity(_ role: AgentRole, _ region: String = "global") -> [AgentIdentity] {
        [AgentIdentity(role: role, region: region)]
    }

    @Test("only servers speak Raft")
    func raftIsServerOnly() {
        #expect(
            authorizer.authorize(callerIdentities: identity(.server), service: "caravan.v1.Raft", method: "RequestVote")
                == .allowed(AgentIdentity(role: .server, region: "global")))
        for role in [AgentRole.client, .mesh, .cli] {
            let decision = authorizer.authorize(
                callerIdentities: identity(role), service: "caravan.v1.Raft", method: "RequestVote")
            guard case .denied(let reason) = decision else {
                Issue.record("\(role) was allowed to call Raft")
                continue
            }
            #expect(reason.contains("allowed roles: server"))
        }
    }

    @Test("node agent calls are for clients, node operator calls for the CLI")
    func nodesSplitByMethod() {
        #expect(
            authorizer.authorize(callerIdentities: identity(.client), service: "caravan.v1.Nodes", method: "Heartbeat")
                != .denied(""))
        if case .allowed = authorizer.authorize(
            callerIdentities: identity(.cli), service: "caravan.v1.Nodes", method: "Heartbeat")
        {
            Issue.record("cli may not heartbeat as a node")
        }
        if case .allowed = authorizer.authorize(
            callerIdentities: identity(.client), service: "caravan.v1.Nodes", method: "Drain")
        {
            Issue.record("a client may not drain nodes")
        }
        #expect(
            authorizer.authorize(callerIdentities: identity(.cli), service: "caravan.v1.Nodes", method: "Drain")
                == .allowed(AgentIdentity(role: .cli, region: "global")))
    }

    @Test("every role may ask any daemon for its status")
    func agentOpenToAll() {
        for role in AgentRole.allCases {
            #expect(
                authorizer.authorize(callerIdentities: identity(role), service: "caravan.v1.Agent", method: "Status")
                    == .allowed(AgentIdentity(role: role, region: "global")))
        }
    }

    @Test("services missing from the policy are closed to everyone")
    func unknownServiceDenied() {
        let decision = authorizer.authorize(
            callerIdentities: identity(.server), service: "caravan.v1.Unlisted", method: "Do")
        #expect(decision == .denied("caravan.v1.Unlisted/Do is not open to any caller"))
    }

    @Test("a caller from another region is denied, naming the region")
    func otherRegionDenied() {
        let decision = authorizer.authorize(
            callerIdentities: identity(.cli, "eu"), service: "caravan.v1.Agent", method: "Status")
        guard case .denied(let reason) = decision else {
            Issue.record("a caller from region eu was allowed in region global")
            return
        }
        #expect(reason.contains("not in region global"))
    }

    @Test("a certificate without a Caravan role is denied")
    func noRoleDenied() {
        let decision = authorizer.authorize(callerIdentities: [], service: "caravan.v1.Agent", method: "Status")
        guard case .denied(let reason) = decision else {
            Issue.record("a certificate with no role was allowed")
            return
        }
        #expect(reason.contains("no Caravan role"))
    }
}

@Suite("The policy covers the API")
struct AccessPolicyCoverageTests {
    static let protoDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Proto/caravan/v1")

    @Test("every service in Proto/ has callers decided")
    func everyServiceListed() throws {
        var services: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.protoDirectory.path)
        where file.hasSuffix(".proto") {
            let text = try String(contentsOf: Self.protoDirectory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("service ") {
                services.append("caravan.v1." + line.dropFirst("service ".count).prefix { $0 != " " && $0 != "{" })
            }
        }
        #expect(services.count > 15)
        let undecided = services.filter { AccessPolicy.caravan.services[$0] == nil }
        #expect(undecided.isEmpty, "\(undecided)")
        #expect(AccessPolicy.caravan.allowedRoles(service: "caravan.v1.ProxyConfig", method: "Stream") == [.client])
    }
}
