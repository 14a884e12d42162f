import HCL

/// Where each part of a decoded job was written, so checks made on the protobuf can point into the file.
///
/// Paths name parts of the job by position: `job/group[0]/task[1]/volume_mount[0]`; ports and volumes by name
/// (`job/group[0]/network[0]/port:http`). `path#key` holds the range of an attribute's value. Input without
/// positions (JSON) has an empty map, and every lookup falls back to the start of the file.
struct JobSourceMap: Sendable {
    var filename: String
    var ranges: [String: SourceRange] = [:]

    init(filename: String) {
        self.filename = filename
    }

    /// The range of `key` in the block at `path`, else of that block, else of its nearest recorded ancestor.
    func range(_ path: String, _ key: String? = nil) -> SourceRange {
        if let key, let found = ranges[path + "#" + key] { return found }
        var current = Substring(path)
        while true {
            if let found = ranges[String(current)] { return found }
            guard let slash = current.lastIndex(of: "/") else { break }
            current = current[..<slash]
        }
        return SourceRange(filename: filename)
    }

    static let job = "job"

    static func child(_ parent: String, _ kind: String, _ index: Int) -> String {
        "\(parent)/\(kind)[\(index)]"
    }

    static func named(_ parent: String, _ kind: String, _ name: String) -> String {
        "\(parent)/\(kind):\(name)"
    }
}
