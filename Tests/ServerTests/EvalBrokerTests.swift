import CaravanProto
import CaravanServer
import Foundation
import SwiftProtobuf
import Synchronization
import Testing

/// The leader's evaluation queue: order, one evaluation per job, leases, delivery limits, blocked and delayed.
@Suite("EvalBroker")
struct EvalBrokerTests {
    static func eval(
        _ id: String, job: String, priority: Int32 = 50, index: UInt64 = 1,
        status: Caravan_V1_EvaluationStatus = .pending
    ) -> Caravan_V1_Evaluation {
        var eval = Caravan_V1_Evaluation()
        eval.id = id
        eval.namespace = "default"
        eval.jobID = job
        eval.priority = priority
        eval.createIndex = index
        eval.status = status
        return eval
    }

    static func broker(
        settings: EvalBroker.Settings = EvalBroker.Settings(), gaveUp: GaveUp = GaveUp()
    ) async -> EvalBroker {
        let broker = EvalBroker(settings: settings) { eval in gaveUp.ids.withLock { $0.append(eval.id) } }
        await broker.setEnabled(true)
        return broker
    }

    @Test("higher priority first, then older first")
    func order() async throws {
        let broker = await Self.broker()
        await broker.enqueue(Self.eval("low", job: "a", priority: 10, index: 1))
        await broker.enqueue(Self.eval("high-new", job: "b", priority: 90, index: 3))
        await broker.enqueue(Self.eval("high-old", job: "c", priority: 90, index: 2))
        var order: [String] = []
        for _ in 0..<3 { order.append(try #require(await broker.dequeue()).eval.id) }
        #expect(order == ["high-old", "high-new", "low"])
    }

    @Test("a job's second evaluation waits until the first is acked")
    func onePerJob() async throws {
        let broker = await Self.broker()
        await broker.enqueue(Self.eval("first", job: "api", index: 1))
        await broker.enqueue(Self.eval("second", job: "api", index: 2))
        await broker.enqueue(Self.eval("other", job: "web", index: 3))
        let first = try #require(await broker.dequeue())
        #expect(first.eval.id == "first")
        #expect(try #require(await broker.dequeue()).eval.id == "other")
        let stats = await broker.stats
        #expect(stats.ready == 0 && stats.waiting == 1)
        await broker.ack(evalID: first.eval.id, token: first.token)
        #expect(try #require(await broker.dequeue()).eval.id == "second")
    }

    @Test("the same evaluation enqueued twice is delivered once; a stale token acks nothing")
    func duplicatesAndTokens() async throws {
        let broker = await Self.broker()
        await broker.enqueue(Self.eval("e1", job: "api"))
        await broker.enqueue(Self.eval("e1", job: "api"))
        let delivery = try #require(await broker.dequeue())
        await broker.ack(evalID: "e1", token: delivery.token &+ 1)
        #expect(await broker.stats.outstanding == 1)
        await broker.ack(evalID: "e1", token: delivery.token)
        let after = await broker.stats
        #expect(after.outstanding == 0 && after.ready == 0)
    }

    @Test("nacked evaluations come back until the delivery limit, then are given up")
    func deliveryLimit() async throws {
        let gaveUp = GaveUp()
        var settings = EvalBroker.Settings()
        settings.deliveryLimit = 2
        let broker = await Self.broker(settings: settings, gaveUp: gaveUp)
        await broker.enqueue(Self.eval("e1", job: "api"))
        let first = try #require(await broker.dequeue())
        await broker.nack(evalID: "e1", token: first.token)
        let second = try #require(await broker.dequeue())
        #expect(second.eval.id == "e1" && second.token != first.token)
        await broker.nack(evalID: "e1", token: second.token)
        #expect(gaveUp.ids.withLock { $0 } == ["e1"])
        #expect(await broker.stats.ready == 0)
    }

    @Test("an unacked evaluation is delivered again when its lease runs out")
    func leaseExpiry() async throws {
        var settings = EvalBroker.Settings()
        settings.leaseTimeout = .milliseconds(50)
        let broker = await Self.broker(settings: settings)
        await broker.enqueue(Self.eval("e1", job: "api"))
        let first = try #require(await broker.dequeue())
        let again = try #require(await broker.dequeue())  // waits for the lease to expire
        #expect(again.eval.id == "e1" && again.token != first.token)
    }

    @Test("blocked evaluations wait for capacity, one per job; the newer supersedes the older")
    func blocked() async throws {
        let broker = await Self.broker()
        #expect(await broker.enqueue(Self.eval("b1", job: "api", status: .blocked)) == nil)
        let superseded = await broker.enqueue(Self.eval("b2", job: "api", index: 2, status: .blocked))
        #expect(superseded?.id == "b1")
        let stats = await broker.stats
        #expect(stats.blocked == 1 && stats.ready == 0)
        await broker.unblockAll()
        #expect(try #require(await broker.dequeue()).eval.id == "b2")
    }

    @Test("a blocked evaluation planned before the latest capacity change is retried at once (missed unblock)")
    func missedUnblock() async throws {
        let broker = await Self.broker()
        await broker.unblockAll(capacityChangedAt: 5)  // a node registered at index 5, nothing was blocked yet
        var stale = Self.eval("stale", job: "api", status: .blocked)
        stale.snapshotIndex = 4  // planned without that node
        await broker.enqueue(stale)
        #expect(await broker.stats.blocked == 0)
        #expect(try #require(await broker.dequeue()).eval.id == "stale")
        var current = Self.eval("current", job: "web", status: .blocked)
        current.snapshotIndex = 5  // saw the node and still could not place: waits for the next change
        await broker.enqueue(current)
        let stats = await broker.stats
        #expect(stats.blocked == 1 && stats.ready == 0)
    }

    @Test("an evaluation with wait_until is held until its time")
    func delayed() async throws {
        let broker = await Self.broker()
        var eval = Self.eval("later", job: "api")
        eval.waitUntil = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(0.2))
        await broker.enqueue(eval)
        await broker.enqueue(Self.eval("now", job: "web"))
        #expect(try #require(await broker.dequeue()).eval.id == "now")
        #expect(await broker.stats.delayed == 1)
        let started = Date()
        #expect(try #require(await broker.dequeue()).eval.id == "later")
        #expect(Date().timeIntervalSince(started) > 0.1)
    }

    @Test("disabling drops everything and releases waiting workers")
    func disable() async throws {
        let broker = await Self.broker()
        let waiter = Task { await broker.dequeue() }
        await broker.enqueue(Self.eval("blocked", job: "x", status: .blocked))
        await broker.setEnabled(false)
        let got = await waiter.value
        // The waiter either got nothing, or the broker was disabled after handing nothing out.
        #expect(got == nil)
        #expect(await broker.stats.blocked == 0)
        await broker.enqueue(Self.eval("e1", job: "api"))
        #expect(await broker.stats.ready == 0, "a disabled broker takes nothing")
    }
}

/// Evaluations the broker gave up on.
final class GaveUp: Sendable {
    let ids = Mutex<[String]>([])
}
