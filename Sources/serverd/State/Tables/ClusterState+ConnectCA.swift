import CaravanProto
import CaravanRPC
import SwiftProtobuf

extension ClusterState {
    /// Stores the first leader's CA. Refused once a CA exists, so two leaders racing at bootstrap keep the first.
    mutating func initConnectCA(_ command: Caravan_V1_InitConnectCACommand, index: UInt64) throws {
        guard mesh.connectCA == nil else {
            throw CaravanError(.alreadyExists, "the Connect CA is already initialized")
        }
        var ca = command.ca
        guard ca.roots.count == 1, let root = ca.roots.first, ca.rootKeys[root.id] != nil, !ca.trustDomain.isEmpty,
            ca.tokenKey.count >= 32
        else {
            throw CaravanError.invalidArgument(
                "a new Connect CA needs one root with its key, a trust domain and a 32-byte token key")
        }
        ca.roots[0].active = true
        ca.roots[0].createIndex = index
        ca.roots[0].modifyIndex = index
        mesh.connectCA = ca
        mesh.record(MeshStateKey.roots, at: index)
        touch(.connectCA, at: index)
    }

    /// Makes a new root active; the previous one stays trusted, marked rotated out.
    mutating func rotateConnectCA(
        _ command: Caravan_V1_RotateConnectCACommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws {
        guard var ca = mesh.connectCA else {
            throw CaravanError.failedPrecondition("the Connect CA is not initialized yet")
        }
        let activeID = ca.roots.first(where: \.active)?.id ?? ""
        guard activeID == command.previousRootID else {
            throw CaravanError.failedPrecondition(
                "the active root is \(activeID), not \(command.previousRootID): another rotation happened first")
        }
        guard !command.root.id.isEmpty, !command.rootKeyPem.isEmpty, ca.rootKeys[command.root.id] == nil else {
            throw CaravanError.invalidArgument("a rotation needs a new root id and its key")
        }
        for position in ca.roots.indices where ca.roots[position].active {
            ca.roots[position].active = false
            ca.roots[position].rotatedOutAt = time
            ca.roots[position].modifyIndex = index
        }
        var root = command.root
        root.active = true
        root.createIndex = index
        root.modifyIndex = index
        ca.roots.append(root)
        ca.rootKeys[root.id] = command.rootKeyPem
        mesh.connectCA = ca
        mesh.record(MeshStateKey.roots, at: index)
        touch(.connectCA, at: index)
    }

    /// Reserves a leaf serial (the entry's index) for a live allocation's service.
    func issueLeaf(_ command: Caravan_V1_IssueLeafCommand) throws {
        guard mesh.connectCA != nil else { throw CaravanError.unavailable("the Connect CA is not initialized yet") }
        guard let alloc = allocs[command.allocID], !alloc.isTerminal else {
            throw CaravanError.permissionDenied("allocation \(command.allocID) is not running; no certificate")
        }
    }
}
