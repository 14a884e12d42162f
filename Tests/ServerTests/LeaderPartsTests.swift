import CaravanProto
import CaravanServer
import Foundation
import State
import Testing

/// The heartbeat timers and the change hub the leader's duties and the blocking queries stand on.
@Suite("Heartbeat timers and the state change hub")
struct LeaderPartsTests {
    @Test("TTLs grow with the node count so the leader sees at most its heartbeat rate, plus a stagger")
    func ttlScales() async {
        var settings = HeartbeatMonitor.Settings()
        settings.minTTL = .seconds(10)
        settings.maxHeartbeatsPerSecond = 50
        let monitor = HeartbeatMonitor(settings: settings)
        let small = await monitor.heartbeat(from: "n0")
        #expect(small >= .seconds(10) && small < .seconds(20))
        await monitor.track((1...5000).map { "n\($0)" })
        let large = await monitor.heartbeat(from: "n0")
        #expect(large >= .seconds(100) && large < .seconds(200), "5000 nodes / 50 per second: \(large)")
    }

    @Test("a node that heartbeats within its TTL is kept")
    func keptAlive() async {
        var settings = HeartbeatMonitor.Settings()
        settings.minTTL = .seconds(5)
        settings.grace = .seconds(5)
        let monitor = HeartbeatMonitor(settings: settings)
        await monitor.heartbeat(from: "chatty")
        await monitor.track(["inherited"])
        #expect(await monitor.takeExpired().isEmpty)
        #expect(await monitor.trackedCount == 2)
    }

    @Test("a node that misses its TTL plus grace expires, and is reported once")
    func expiry() async throws {
        var settings = HeartbeatMonitor.Settings()
        settings.minTTL = .milliseconds(10)
        settings.grace = .milliseconds(10)
        let monitor = HeartbeatMonitor(settings: settings)
        await monitor.heartbeat(from: "quiet")
        // Longer than the longest TTL (twice the minimum, with the stagger) plus grace.
        try await Task.sleep(for: .milliseconds(60))
        #expect(await monitor.takeExpired() == ["quiet"])
        #expect(await monitor.takeExpired().isEmpty, "an expired node is reported once")
        #expect(await monitor.trackedCount == 0)
    }

    @Test("a blocking wait returns when its table changes past the index, not for other tables")
    func hubWakes() async {
        let hub = StateChangeHub()
        let waiter = Task {
            await hub.waitForChange(of: [.allocs], after: 5, timeout: .seconds(30))
            return ContinuousClock.now
        }
        var other = StateChange(index: 6)
        other.tables = [.nodes]
        hub.publish(other)
        var old = StateChange(index: 5)
        old.tables = [.allocs]
        hub.publish(old)
        let published = ContinuousClock.now
        var change = StateChange(index: 7)
        change.tables = [.allocs]
        try? await Task.sleep(for: .milliseconds(50))
        hub.publish(change)
        let woke = await waiter.value
        #expect(woke > published + .milliseconds(40), "woke only for the allocs change at 7")
    }

    @Test("a blocking wait gives up after its timeout, and returns at once when the change already happened")
    func hubTimeout() async {
        let hub = StateChangeHub()
        let start = ContinuousClock.now
        await hub.waitForChange(of: [.jobs], after: 0, timeout: .milliseconds(50))
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        var change = StateChange(index: 3)
        change.tables = [.jobs]
        hub.publish(change)
        let again = ContinuousClock.now
        await hub.waitForChange(of: [.jobs], after: 2, timeout: .seconds(30))
        #expect(ContinuousClock.now - again < .seconds(5))
    }
}
