import CaravanProto
import CaravanRPC
import Foundation
import GRPCCore
import State

/// Serves `caravan.v1.Variables` (`ctl var`): validates, proposes writes through the replicated log, reads back.
///
/// Bad input is refused with INVALID_ARGUMENT before anything is proposed. Writes carry the proposal time
/// decided here, so every replica stores the same times; a refusal by the state machine (a check-and-set
/// conflict) reaches the caller with its own code and message.
public struct VariablesService: Caravan_V1_Variables.SimpleServiceProtocol {
    let state: any ReplicatedState
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - state: the replicated state to propose to and read from (the Raft driver, or `LocalReplicatedState`).
    ///   - now: the clock for proposal times.
    public init(state: any ReplicatedState, now: @escaping @Sendable () -> Date = { Date() }) {
        self.state = state
        self.now = now
    }

    public func put(
        request: Caravan_V1_PutVariableRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_PutVariableResponse {
        let input = request.variable
        try VariableValidation.validatePut(path: input.path, namespace: input.namespace, items: input.items)
        let applied = try await state.propose(StateCommands.putVariable(VariableRequests.put(request), at: now()))
        if let refusal = applied.result.refusal { throw refusal }
        guard case .variable(let stored)? = applied.result.result else {
            throw CaravanError(
                .internalError, "put of variable \"\(input.path)\" applied at index \(applied.index) returned nothing")
        }
        var response = Caravan_V1_PutVariableResponse()
        response.variable = stored
        response.meta = VariableRequests.writeMeta(applied.index)
        return response
    }

    public func get(
        request: Caravan_V1_GetVariableRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_GetVariableResponse {
        let path = request.path
        let namespace = request.query.namespace
        try VariableValidation.validateAddress(path: path, namespace: namespace)
        let read = try await state.read(stale: request.query.allowStale) { view in
            view.variables.variable(path: path, namespace: namespace)
        }
        guard let variable = read.value else {
            throw CaravanError.notFound(VariableRequests.notFoundMessage(path: path, namespace: namespace))
        }
        var response = Caravan_V1_GetVariableResponse()
        response.variable = variable
        response.meta = VariableRequests.queryMeta(read)
        return response
    }

    public func list(
        request: Caravan_V1_ListVariablesRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_ListVariablesResponse {
        let query = request.query
        if let problem = VariableNamespace.problem(with: query.namespace) {
            throw CaravanError.invalidArgument(problem)
        }
        let start = request.nextToken
        let limit = Int(request.perPage)
        let read = try await state.read(stale: query.allowStale) { view in
            view.variables.list(namespace: query.namespace, prefix: query.prefix, start: start, limit: limit)
        }
        var response = Caravan_V1_ListVariablesResponse()
        response.variables = read.value.variables
        response.nextToken = read.value.nextToken
        response.meta = VariableRequests.queryMeta(read)
        return response
    }

    public func delete(
        request: Caravan_V1_DeleteVariableRequest,
        context: ServerContext
    ) async throws -> Caravan_V1_DeleteVariableResponse {
        try VariableValidation.validateAddress(path: request.path, namespace: request.namespace)
        let applied = try await state.propose(StateCommands.deleteVariable(VariableRequests.delete(request), at: now()))
        if let refusal = applied.result.refusal { throw refusal }
        var response = Caravan_V1_DeleteVariableResponse()
        response.meta = VariableRequests.writeMeta(applied.index)
        return response
    }
}
