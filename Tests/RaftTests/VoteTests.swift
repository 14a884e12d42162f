import Testing

@testable import Raft

struct VoteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var term: Term = 2
    var vote: NodeID? = nil
    var heardFromLeader = false
    var checkQuorum = false
    var logTerms: [Term] = [1, 2]
    var preVote = false
    var requestTerm: Term = 3
    var lastIndex: Index = 2
    var lastTerm: Term = 2
    var granted: Bool?
    var termAfter: Term
    var voteAfter: NodeID?
    var testDescription: String { name }
}

func grantedVote(in messages: [Message]) -> Bool? {
    for message in messages {
        switch message.kind {
        case .requestVoteResponse(let granted), .preVoteResponse(let granted): return granted
        default: continue
        }
    }
    return nil
}

@Suite("Vote rules")
struct VoteTests {
    static let cases: [VoteCase] = [
        VoteCase(name: "grants a higher-term candidate with an equal log", granted: true, termAfter: 3, voteAfter: 2),
        VoteCase(name: "grants a longer log", lastIndex: 5, granted: true, termAfter: 3, voteAfter: 2),
        VoteCase(
            name: "rejects a shorter log of the same last term", logTerms: [1, 2, 2], granted: false, termAfter: 3,
            voteAfter: nil),
        VoteCase(name: "rejects a lower last term", lastIndex: 9, lastTerm: 1, granted: false, termAfter: 3),
        VoteCase(
            name: "rejects a second candidate in the same term", vote: 3, requestTerm: 2, granted: false,
            termAfter: 2, voteAfter: 3),
        VoteCase(
            name: "re-grants the same candidate in the same term", vote: 2, requestTerm: 2, granted: true,
            termAfter: 2, voteAfter: 2),
        VoteCase(name: "ignores a stale term", requestTerm: 1, granted: nil, termAfter: 2),
        VoteCase(
            name: "with check-quorum ignores a vote while the leader is fresh", heardFromLeader: true,
            checkQuorum: true, granted: nil, termAfter: 2),
        VoteCase(
            name: "without check-quorum a vote deposes a fresh leader", heardFromLeader: true, granted: true,
            termAfter: 3, voteAfter: 2),
        VoteCase(name: "pre-vote is granted without raising the term", preVote: true, granted: true, termAfter: 2),
        VoteCase(
            name: "pre-vote is granted even after voting for another", vote: 3, preVote: true, granted: true,
            termAfter: 2, voteAfter: 3),
        VoteCase(
            name: "pre-vote is ignored while the leader is fresh", heardFromLeader: true, preVote: true,
            granted: nil, termAfter: 2),
        VoteCase(
            name: "pre-vote is rejected for a stale log", logTerms: [1, 2, 2], preVote: true, granted: false,
            termAfter: 2),
        VoteCase(
            name: "pre-vote from a stale term is rejected", preVote: true, requestTerm: 1, granted: false,
            termAfter: 2),
    ]

    @Test(
        "a vote is granted once per term, only to an up-to-date log, and not while a leader is fresh", arguments: cases)
    func vote(_ c: VoteCase) {
        let config = Config(id: 1, peers: [1, 2, 3], preVote: c.preVote, checkQuorum: c.checkQuorum)
        let log = entries(from: 1, terms: c.logTerms)
        var node = RaftNode(
            config: config, hardState: HardState(term: c.term, vote: c.vote), entries: log,
            random: SplitMix64(seed: 1))
        if c.heardFromLeader { node.leader = 3 }
        let kind: Message.Kind =
            c.preVote
            ? .preVote(lastIndex: c.lastIndex, lastTerm: c.lastTerm)
            : .requestVote(lastIndex: c.lastIndex, lastTerm: c.lastTerm, transfer: false)
        node.step(Message(from: 2, to: 1, term: c.requestTerm, kind: kind))
        let ready = node.ready()
        #expect(grantedVote(in: ready.messages) == c.granted)
        #expect(node.term == c.termAfter)
        #expect(node.vote == c.voteAfter)
        if c.granted == true {
            #expect(ready.messages.first?.term == c.requestTerm)
        }
    }
}
