import CaravanProto
import Foundation
import SwiftProtobuf

/// Renders what `ctl alloc fs` shows: a directory as Nomad's table (Mode, Size, Modified Time, Name) and the
/// tail computations of `ctl alloc logs`.
enum AllocFileFormatter {
    /// One row per entry; directories end in "/".
    static func table(_ files: [Caravan_V1_FileInfo]) -> String {
        let rows = files.map { file in
            [file.mode, file.isDir ? "-" : size(file.size), time(file.modTime), file.name + (file.isDir ? "/" : "")]
        }
        return ColumnTable.render(header: ["Mode", "Size", "Modified Time", "Name"], rows: rows)
    }

    /// `-stat`: the table's row for one file, plus its content type.
    static func stat(_ file: Caravan_V1_FileInfo) -> String {
        let row = [
            file.mode, file.isDir ? "-" : size(file.size), time(file.modTime), file.name + (file.isDir ? "/" : ""),
        ]
        let table = ColumnTable.render(header: ["Mode", "Size", "Modified Time", "Name"], rows: [row])
        return file.contentType.isEmpty ? table : table + "\nContent Type: \(file.contentType)"
    }

    /// Bytes in binary units with one decimal ("512 B", "4.0 KiB", "1.5 MiB").
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            value /= 1024
            if value < 1024 || unit == "TiB" { return String(format: "%.1f", value) + " " + unit }
        }
        return "\(bytes) B"
    }

    /// `2024-03-22 16:48:09 UTC`.
    static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: timestamp.date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// The number of bytes at the end of `data` that hold its last `lines` lines (a final line without a newline
    /// counts as a line); all of `data` when it has fewer.
    static func tailLength(of data: Data, lines: Int) -> Int {
        guard lines > 0 else { return 0 }
        let bytes = [UInt8](data)
        var end = bytes.count
        if end > 0, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var seen = 0
        var index = end
        while index > 0 {
            index -= 1
            if bytes[index] == UInt8(ascii: "\n") {
                seen += 1
                if seen == lines { return bytes.count - index - 1 }
            }
        }
        return bytes.count
    }

    /// Whether `data` holds at least `lines` whole lines after its first newline (so its last `lines` lines are
    /// complete even if the data started mid-line).
    static func hasLines(_ data: Data, _ lines: Int) -> Bool {
        tailLength(of: data, lines: lines) < data.count
    }
}
