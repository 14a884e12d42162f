import CaravanProto
import Foundation
import SwiftProtobuf

/// Renders variables the way HashiCorp CLIs print records: `Key = value` blocks and aligned tables.
enum VarFormatter {
    /// A variable as a readable block: where it lives, its indexes and times, then its items.
    static func block(_ variable: Caravan_V1_Variable) -> String {
        let header = KeyValueTable.render([
            ("Namespace", variable.namespace),
            ("Path", variable.path),
            ("Create Index", "\(variable.createIndex)"),
            ("Create Time", time(variable.createTime)),
            ("Modify Index", "\(variable.modifyIndex)"),
            ("Modify Time", time(variable.modifyTime)),
        ])
        let items = variable.items.keys.sorted().map { ($0, variable.items[$0] ?? "") }
        return header + "\n\nItems\n" + KeyValueTable.render(items)
    }

    /// Variable metadata as a table, one row per variable.
    static func table(_ variables: [Caravan_V1_VariableMetadata]) -> String {
        guard !variables.isEmpty else { return "No variables found" }
        let rows = variables.map { [$0.namespace, $0.path, "\($0.modifyIndex)", time($0.modifyTime)] }
        return ColumnTable.render(header: ["Namespace", "Path", "Modify Index", "Last Updated"], rows: rows)
    }

    /// A JSON array of messages in the API's JSON form.
    static func jsonArray(_ messages: [some SwiftProtobuf.Message]) throws -> String {
        "[" + (try messages.map { try $0.jsonString() }).joined(separator: ",") + "]"
    }

    /// RFC 3339 in UTC, as the API's JSON writes times.
    static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
        timestamp.date.formatted(.iso8601)
    }
}

/// Columns padded to their widest cell, separated by two spaces.
enum ColumnTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { column, cell in
                guard column < row.count - 1, column < widths.count else { return cell }
                return cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
