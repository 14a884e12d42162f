import CaravanProto
import CaravanRPC
import SwiftProtobuf

extension ClusterState {
    /// The tick a periodic job was last launched (or skipped) for; nil before its first.
    public func lastPeriodicLaunch(namespace: String, jobID: String) -> Google_Protobuf_Timestamp? {
        periodicLaunches[Self.jobKey(namespace: namespace, id: jobID)]
    }

    /// The current versions of periodic (parent) jobs.
    public var periodicJobs: [Caravan_V1_Job] {
        periodicJobKeys.sorted().compactMap { jobs[$0]?.current }
    }

    /// The children a periodic or parameterized job launched, by `parent_id`.
    public func children(namespace: String, parentID: String) -> [Caravan_V1_Job] {
        jobs.values.map(\.current).filter {
            $0.parentID == parentID
                && ($0.namespace.isEmpty ? "default" : $0.namespace)
                    == (namespace.isEmpty ? "default" : namespace)
        }
    }

    /// Records a periodic job's tick and registers its child (if the tick was not skipped) with its evaluation.
    /// A scheduled tick at or before the recorded one is refused: another leader launched it already.
    mutating func launchPeriodic(
        _ command: Caravan_V1_PeriodicLaunchCommand, index: UInt64, time: Google_Protobuf_Timestamp
    ) throws -> Caravan_V1_Job? {
        let key = Self.jobKey(namespace: command.namespace, id: command.parentID)
        guard let parent = jobs[key]?.current, parent.hasPeriodic else {
            throw CaravanError.notFound("periodic job \"\(command.parentID)\" is not registered")
        }
        guard !parent.stop else {
            throw CaravanError(.failedPrecondition, "periodic job \"\(command.parentID)\" is stopped")
        }
        if !command.forced {
            if let last = periodicLaunches[key], command.launch.date <= last.date {
                throw CaravanError(
                    .failedPrecondition,
                    "periodic job \"\(command.parentID)\" was already launched for \(last.date) "
                        + "(this launch is for \(command.launch.date))")
            }
            periodicLaunches[key] = command.launch
        }
        touch(.jobs, at: index)
        guard command.hasChild else { return nil }
        var register = Caravan_V1_RegisterJobCommand()
        register.job = command.child
        if command.hasEval { register.eval = command.eval }
        return try registerJob(register, index: index, time: time)
    }
}
