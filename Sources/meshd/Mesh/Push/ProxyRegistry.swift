import CaravanProto
import Foundation
import Logging
import SwiftProtobuf

/// The proxies connected to this meshd replica, and the push: when the mesh view changes, only the proxies whose
/// dependency keys changed are rebuilt, and only those whose snapshot version moved are sent one.
///
/// Bursts of changes are coalesced: changes mark keys dirty, and one rebuild runs `coalesceWindow` after the first
/// of them, sharing the intention set, config graph and compiled chains across every proxy it rebuilds.
public actor ProxyRegistry {
    /// Per-proxy push state.
    struct Session {
        var registration: ProxyRegistration
        let outbox: AsyncStream<Caravan_V1_ProxySnapshot>.Continuation
        var sentVersion: UInt64 = 0
        var ackedVersion: UInt64 = 0
        var dependencies: Set<String> = []
    }

    /// What the registry did, for tests and the benchmark.
    public struct Counters: Sendable, Equatable {
        public var rebuilds = 0
        public var snapshotsBuilt = 0
        public var snapshotsSent = 0
        public var nacks = 0
    }

    let store: MeshViewStore
    let settings: MeshSettings
    let logger: Logger
    let coalesceWindow: Duration
    private var sessions: [UInt64: Session] = [:]
    private var sessionsByKey: [String: Set<UInt64>] = [:]
    private var dirtyKeys: Set<String> = []
    private var dirtySessions: Set<UInt64> = []
    private var flushScheduled = false
    private var nextID: UInt64 = 0
    public private(set) var counters = Counters()

    public init(
        store: MeshViewStore, settings: MeshSettings, logger: Logger, coalesceWindow: Duration = .milliseconds(5)
    ) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.coalesceWindow = coalesceWindow
    }

    /// Follows the view's changes until cancelled.
    public func follow() async {
        for await change in store.subscribe() {
            if Task.isCancelled { return }
            markChanged(change.keys)
        }
    }

    /// Adds a proxy; its first snapshot is sent as soon as its instance is in the catalog.
    func open(_ registration: ProxyRegistration, outbox: AsyncStream<Caravan_V1_ProxySnapshot>.Continuation) -> UInt64 {
        nextID += 1
        sessions[nextID] = Session(registration: registration, outbox: outbox)
        dirtySessions.insert(nextID)
        scheduleFlush()
        return nextID
    }

    func close(_ id: UInt64) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        unindex(id, session.dependencies)
        session.outbox.finish()
    }

    func replaceLeaf(_ id: UInt64, leaf: Caravan_V1_LeafCert, keyID: String) {
        sessions[id]?.registration.leaf = leaf
        sessions[id]?.registration.keyID = keyID
        dirtySessions.insert(id)
        scheduleFlush()
    }

    func acknowledge(_ id: UInt64, version: UInt64) {
        guard var session = sessions[id] else { return }
        session.ackedVersion = max(session.ackedVersion, version)
        sessions[id] = session
    }

    /// The proxy refused a snapshot and keeps running its previous one; logged with its reason.
    func reject(_ id: UInt64, version: UInt64, reason: String) {
        counters.nacks += 1
        guard let session = sessions[id] else { return }
        logger.warning(
            "proxy rejected its snapshot; it keeps the previous one",
            metadata: [
                "proxy": "\(session.registration.proxyID)", "service": "\(session.registration.service)",
                "version": "\(version)", "acked": "\(session.ackedVersion)", "reason": "\(reason)",
            ])
    }

    /// The version a proxy last acknowledged.
    func ackedVersion(_ id: UInt64) -> UInt64? { sessions[id]?.ackedVersion }

    public var connectedProxies: Int { sessions.count }

    func markChanged(_ keys: Set<String>) {
        dirtyKeys.formUnion(keys)
        scheduleFlush()
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let window = coalesceWindow
        Task {
            try? await Task.sleep(for: window)
            self.flush()
        }
    }

    /// Rebuilds every proxy affected by the dirty keys (and new or re-keyed sessions); sends changed versions.
    func flush() {
        flushScheduled = false
        let view = store.view
        guard view.isReady else { return }
        var affected = dirtySessions
        for key in dirtyKeys { affected.formUnion(sessionsByKey[key] ?? []) }
        dirtyKeys.removeAll()
        dirtySessions.removeAll()
        guard !affected.isEmpty else { return }
        counters.rebuilds += 1
        let inputs = SnapshotInputs(view: view, settings: settings)
        let now = Google_Protobuf_Timestamp(date: Date())
        for id in affected {
            guard var session = sessions[id] else { continue }
            let built = ProxySnapshotBuilder.build(for: session.registration, inputs: inputs)
            counters.snapshotsBuilt += 1
            if built.dependencies != session.dependencies {
                unindex(id, session.dependencies)
                for key in built.dependencies { sessionsByKey[key, default: []].insert(id) }
                session.dependencies = built.dependencies
            }
            if var snapshot = built.snapshot, built.version != session.sentVersion {
                snapshot.generatedAt = now
                session.outbox.yield(snapshot)
                session.sentVersion = built.version
                counters.snapshotsSent += 1
            }
            sessions[id] = session
        }
    }

    private func unindex(_ id: UInt64, _ keys: Set<String>) {
        for key in keys {
            sessionsByKey[key]?.remove(id)
            if sessionsByKey[key]?.isEmpty == true { sessionsByKey[key] = nil }
        }
    }
}
