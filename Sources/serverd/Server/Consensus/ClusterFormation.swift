import CaravanProto
import CaravanRPC
import Logging
import Raft

/// Forms the cluster the way Nomad's `-bootstrap-expect` does: a new server contacts the `-join`
/// addresses, every server shares the servers it knows, and once exactly `expect` servers know of each
/// other they all write the same initial membership. A server joining a formed cluster asks the leader to
/// add it as a non-voter; the leader promotes it once it has caught up.
actor ClusterFormation {
    let driver: RaftDriver
    let expect: Int
    let joinAddresses: [HostPort]
    let dialer: RPCDialer
    let identity: AgentIdentity
    let logger: Logger
    var known: [NodeID: RaftMember] = [:]
    var bootstrapping = false

    init(
        driver: RaftDriver, expect: Int, joinAddresses: [HostPort], tls: TLSMaterial, region: String, logger: Logger
    ) {
        self.driver = driver
        self.expect = expect
        self.joinAddresses = joinAddresses
        self.dialer = RPCDialer(tls: tls, callTimeout: .seconds(3))
        self.identity = AgentIdentity(role: .server, region: region)
        self.logger = logger
    }

    /// Runs until cancelled: forms or joins the cluster, then does the leader's periodic housekeeping.
    func run() async {
        let me = driver.selfMember
        known[me.id] = me
        while !Task.isCancelled {
            if await !driver.isMember {
                await attemptFormation()
            } else {
                await driver.promoteCaughtUpLearners()
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func attemptFormation() async {
        if await !driver.isFormed, expect == 1, joinAddresses.isEmpty {
            await bootstrap()
            return
        }
        let request = joinRequest()
        for address in joinAddresses {
            do {
                let response = try await dialer.withClient(address, expecting: identity) { client in
                    try await Caravan_V1_Raft.Client(wrapping: client).join(request)
                }
                for wire in response.servers {
                    if let member = try? RaftMember(wire: wire) { known[member.id] = member }
                }
                if response.clusterFormed, await !driver.isFormed {
                    logger.info("joined an existing cluster; waiting to be added", metadata: ["via": "\(address)"])
                }
            } catch {
                logger.debug("join attempt failed", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
        if await !driver.isFormed, known.count >= expect {
            await bootstrap()
        }
    }

    private func bootstrap() async {
        let members = Array(known.values.sorted { $0.id < $1.id }.prefix(expect))
        if known.count > expect {
            logger.warning(
                "more servers than -bootstrap-expect know of each other; bootstrapping with the first by ID",
                metadata: ["expect": "\(expect)", "known": "\(known.count)"])
        }
        do {
            try await driver.bootstrap(members: members)
        } catch {
            logger.error("bootstrap failed", metadata: ["error": "\(error)"])
        }
    }

    private func joinRequest() -> Caravan_V1_RaftJoinRequest {
        .with {
            $0.server = driver.selfMember.wire
            $0.bootstrapExpect = UInt32(expect)
        }
    }

    /// Another server introduces itself.
    func handleJoin(_ request: Caravan_V1_RaftJoinRequest) async throws -> Caravan_V1_RaftJoinResponse {
        let member = try RaftMember(wire: request.server)
        if await driver.isFormed {
            if await !driver.membersByID.keys.contains(member.id) {
                await askLeaderToAdd(member)
            }
            let members = await driver.membersByID
            return .with {
                $0.clusterFormed = true
                $0.servers =
                    [driver.selfMember.wire] + members.values.filter { $0.id != driver.selfMember.id }.map(\.wire)
            }
        }
        guard request.bootstrapExpect == 0 || Int(request.bootstrapExpect) == expect else {
            throw CaravanError.failedPrecondition(
                "server \(member.name) expects \(request.bootstrapExpect) servers, this one \(expect): "
                    + "every server must use the same -bootstrap-expect")
        }
        known[member.id] = member
        if known.count >= expect {
            Task { await self.bootstrap() }
        }
        return .with {
            $0.clusterFormed = false
            $0.servers = [driver.selfMember.wire] + known.values.filter { $0.id != driver.selfMember.id }.map(\.wire)
        }
    }

    private func askLeaderToAdd(_ member: RaftMember) async {
        let request = Caravan_V1_RaftOperatorRequest.with { $0.addServer = member.wire }
        do {
            _ = try await driver.forwardOperator(request)
            logger.info("adding server to the cluster", metadata: ["server": "\(member.name)"])
        } catch {
            logger.warning("could not add server yet", metadata: ["server": "\(member.name)", "error": "\(error)"])
        }
    }
}
