import CaravanProto

extension Caravan_V1_Allocation {
    /// Terminal allocations hold no resources and will not run again: the server stopped or evicted them, or
    /// the client reports them complete, failed or lost.
    public var isTerminal: Bool {
        switch desiredStatus {
        case .stop, .evict: return true
        default: break
        }
        switch clientStatus {
        case .complete, .failed, .lost: return true
        default: return false
        }
    }
}
