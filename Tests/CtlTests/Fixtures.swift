import CaravanProto
import Foundation
import SwiftProtobuf

/// Small proto values the formatter tests share; IDs are fixed so the expected text is exact.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let evalID = "5a1b2c3d-0000-4000-8000-000000000001"
    static let blockedID = "67d9e5c8-0000-4000-8000-000000000002"
    static let nodeID = "a1b2c3d4-0000-4000-8000-000000000003"

    static func timestamp(secondsAgo: Int64) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: Int64(now.timeIntervalSince1970) - secondsAgo)
    }

    /// A metric as the scheduler reports a group that found no node with the host volume and too little memory.
    static func volumeAndMemoryMetric(coalesced: Int32 = 1) -> Caravan_V1_AllocMetric {
        .with {
            $0.nodesEvaluated = 5
            $0.constraintFiltered = ["host volume mysql": 2]
            $0.dimensionExhausted = ["memory": 3]
            $0.coalescedFailures = coalesced
        }
    }

    static func alloc(
        _ id: String, group: String = "web", createIndex: UInt64 = 10, desired: Caravan_V1_AllocDesiredStatus = .run,
        client: Caravan_V1_AllocClientStatus = .running, secondsAgo: Int64 = 310
    ) -> Caravan_V1_AllocationListStub {
        .with {
            $0.id = id
            $0.nodeID = nodeID
            $0.jobID = "web"
            $0.taskGroup = group
            $0.jobVersion = 3
            $0.createIndex = createIndex
            $0.desiredStatus = desired
            $0.clientStatus = client
            $0.createTime = timestamp(secondsAgo: secondsAgo)
        }
    }

    static func evaluation(
        status: Caravan_V1_EvaluationStatus, createIndex: UInt64 = 10,
        failures: [String: Caravan_V1_AllocMetric] = [:], blocked: String = ""
    ) -> Caravan_V1_Evaluation {
        .with {
            $0.id = evalID
            $0.jobID = "web"
            $0.type = "service"
            $0.triggeredBy = "job-register"
            $0.priority = 50
            $0.status = status
            $0.createIndex = createIndex
            $0.modifyIndex = createIndex
            $0.failedTgAllocs = failures
            $0.blockedEval = blocked
        }
    }
}
