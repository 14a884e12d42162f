import CaravanProto
import Foundation
import State
import SwiftProtobuf

/// What changed between the registered job and a proposed one, for `ctl job plan`: job fields, then per task
/// group and per task, each field as a dotted path with its old and new value.
///
/// Fields come from the protobuf JSON of each part, so every field of the job spec is covered without a list
/// to keep in step with the protos; what the server stamps (indexes, version, submit time, status) is left out.
enum JobDiffer {
    static func diff(old: Caravan_V1_Job?, new: Caravan_V1_Job) -> Caravan_V1_JobDiff {
        var diff = Caravan_V1_JobDiff()
        diff.id = new.id
        let oldFields = old.map { fields(of: stripped($0)) } ?? [:]
        diff.fields = fieldDiffs(oldFields, fields(of: stripped(new)))
        let oldGroups = Dictionary(
            (old?.taskGroups ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newGroups = Dictionary(new.taskGroups.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in Set(oldGroups.keys).union(newGroups.keys).sorted() {
            let group = groupDiff(name: name, old: oldGroups[name], new: newGroups[name])
            if group.type != .none { diff.taskGroups.append(group) }
        }
        diff.type =
            old == nil ? .added : (diff.fields.isEmpty && diff.taskGroups.isEmpty ? .none : .edited)
        return diff
    }

    static func groupDiff(name: String, old: Caravan_V1_TaskGroup?, new: Caravan_V1_TaskGroup?)
        -> Caravan_V1_TaskGroupDiff
    {
        var diff = Caravan_V1_TaskGroupDiff()
        diff.name = name
        diff.fields = fieldDiffs(
            old.map { fields(of: withoutTasks($0)) } ?? [:], new.map { fields(of: withoutTasks($0)) } ?? [:])
        let oldTasks = Dictionary((old?.tasks ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newTasks = Dictionary((new?.tasks ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for taskName in Set(oldTasks.keys).union(newTasks.keys).sorted() {
            var task = Caravan_V1_TaskDiff()
            task.name = taskName
            task.fields = fieldDiffs(
                oldTasks[taskName].map { fields(of: $0) } ?? [:], newTasks[taskName].map { fields(of: $0) } ?? [:])
            task.type = kind(
                old: oldTasks[taskName] != nil, new: newTasks[taskName] != nil, changed: !task.fields.isEmpty)
            if task.type != .none { diff.tasks.append(task) }
        }
        diff.type = kind(
            old: old != nil, new: new != nil, changed: !diff.fields.isEmpty || !diff.tasks.isEmpty)
        return diff
    }

    static func kind(old: Bool, new: Bool, changed: Bool) -> Caravan_V1_DiffType {
        switch (old, new) {
        case (false, true): .added
        case (true, false): .deleted
        default: changed ? .edited : .none
        }
    }

    static func fieldDiffs(_ old: [String: String], _ new: [String: String]) -> [Caravan_V1_FieldDiff] {
        Set(old.keys).union(new.keys).sorted().compactMap { name in
            let before = old[name]
            let after = new[name]
            guard before != after else { return nil }
            var field = Caravan_V1_FieldDiff()
            field.name = name
            field.old = before ?? ""
            field.new = after ?? ""
            field.type = before == nil ? .added : (after == nil ? .deleted : .edited)
            return field
        }
    }

    static func stripped(_ job: Caravan_V1_Job) -> Caravan_V1_Job {
        var job = JobComparison.normalized(job)
        job.taskGroups = []
        return job
    }

    static func withoutTasks(_ group: Caravan_V1_TaskGroup) -> Caravan_V1_TaskGroup {
        var group = group
        group.tasks = []
        return group
    }

    /// A message's fields as "path" → value text, nested objects and lists flattened ("resources.cpu_mhz").
    static func fields(of message: some SwiftProtobuf.Message) -> [String: String] {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        guard let data = try? message.jsonUTF8Data(options: options),
            let object = try? JSONSerialization.jsonObject(with: data)
        else { return [:] }
        var result: [String: String] = [:]
        flatten(object, path: "", into: &result)
        return result
    }

    static func flatten(_ value: Any, path: String, into result: inout [String: String]) {
        switch value {
        case let object as [String: Any]:
            for (key, child) in object { flatten(child, path: path.isEmpty ? key : "\(path).\(key)", into: &result) }
        case let list as [Any]:
            for (index, child) in list.enumerated() { flatten(child, path: "\(path)[\(index)]", into: &result) }
        default:
            result[path] = "\(value)"
        }
    }
}
