import CaravanProto
import Foundation
import GRPCCore
import State
import SwiftProtobuf
import Testing

/// Builds encoded Raft entries holding state commands, as a proposer would.
enum Entries {
    /// The proposal time every test command carries unless it says otherwise.
    static let time = Date(timeIntervalSince1970: 1_700_000_000)

    static func put(
        _ path: String,
        _ items: [String: String],
        namespace: String = "",
        checkIndex: UInt64? = nil,
        at time: Date = Entries.time
    ) throws -> [UInt8] {
        var request = Caravan_V1_PutVariableRequest()
        request.variable.path = path
        request.variable.namespace = namespace
        request.variable.items = items
        if let checkIndex { request.checkIndex = checkIndex }
        return try StateCommands.putVariable(request, at: time).serializedBytes()
    }

    static func delete(_ path: String, namespace: String = "", checkIndex: UInt64? = nil) throws -> [UInt8] {
        var request = Caravan_V1_DeleteVariableRequest()
        request.path = path
        request.namespace = namespace
        if let checkIndex { request.checkIndex = checkIndex }
        return try StateCommands.deleteVariable(request, at: time).serializedBytes()
    }
}

extension StateMachine {
    /// Applies `entries` at the indexes following the last applied one; returns their results.
    @discardableResult
    func applyAll(_ entries: [[UInt8]]) -> [Caravan_V1_StateCommandResult] {
        entries.map { apply(entryData: $0, index: lastAppliedIndex + 1) }
    }

    /// Every variable in path order with its items, for comparing whole states.
    var everything: [Caravan_V1_Variable] { variables.all }
}

extension Caravan_V1_StateCommandResult {
    /// The stored variable, when the command put one.
    var storedVariable: Caravan_V1_Variable? {
        if case .variable(let variable)? = result { return variable }
        return nil
    }
}

/// Expects `call` to fail with `code` and a message containing `text` (the refusals services test for).
func expectRefusal(
    _ code: RPCError.Code, containing text: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ call: () async throws -> Void
) async {
    do {
        try await call()
        Issue.record("the call succeeded; expected \(code)", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
