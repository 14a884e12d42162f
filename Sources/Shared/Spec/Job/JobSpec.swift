import CaravanProto
import Foundation
import HCL
import SwiftProtobuf

/// Decodes Nomad-style job files (HCL) and Caravan's API JSON into a defaulted, validated `Caravan_V1_Job`.
public enum JobSpec {
    /// Decodes `source`; every problem found is thrown at once, each as `file:line:col: message`.
    ///
    /// HCL input may use `variable` and `locals` blocks, set from `variables`. JSON input is the protobuf JSON of
    /// `Caravan_V1_Job`, optionally wrapped as `{"Job": {...}}`; it has no positions, so its errors point at 1:1.
    public static func decode(
        _ source: SpecSource, variables: VariableInputs = VariableInputs()
    ) throws(Diagnostics) -> Caravan_V1_Job {
        var job: Caravan_V1_Job
        var sources: JobSourceMap
        var diagnostics = DiagnosticCollector()
        if source.isJSON {
            job = try JobJSON.decode(source)
            sources = JobSourceMap(filename: source.filename)
        } else {
            let document = try HCLDocument.load(bytes: source.bytes, filename: source.filename, options: variables)
            var decoder = JobDecoder(filename: source.filename)
            let decoded = decoder.decodeDocument(document.reader())
            diagnostics = decoder.diagnostics
            sources = decoder.sources
            guard let decoded else { throw diagnostics.result() }
            job = decoded
        }
        canonicalize(&job)
        var validator = JobValidator(sources: sources, diagnostics: diagnostics)
        validator.validate(job)
        if validator.diagnostics.hasErrors { throw validator.diagnostics.result() }
        return job
    }

    /// Defaults and validates a job that arrived as a protobuf (an RPC), with the checks a job file gets.
    /// Problems point at `origin`, since there is no file to point into.
    public static func validated(_ job: Caravan_V1_Job, origin: String = "job") throws(Diagnostics)
        -> Caravan_V1_Job
    {
        var job = job
        canonicalize(&job)
        var validator = JobValidator(sources: JobSourceMap(filename: origin))
        validator.validate(job)
        if validator.diagnostics.hasErrors { throw validator.diagnostics.result() }
        return job
    }

    /// Defaults, operator spellings and driver configs in their one stored form.
    static func canonicalize(_ job: inout Caravan_V1_Job) {
        JobDefaults.apply(to: &job)
        for group in job.taskGroups.indices {
            for task in job.taskGroups[group].tasks.indices {
                let driver = job.taskGroups[group].tasks[task].driver
                guard let schema = DriverConfigSchema.schemas[driver], job.taskGroups[group].tasks[task].hasConfig
                else { continue }
                job.taskGroups[group].tasks[task].config = schema.normalized(job.taskGroups[group].tasks[task].config)
            }
        }
    }
}

/// Caravan's API JSON for a job: protobuf JSON, optionally wrapped in `{"Job": ...}`.
enum JobJSON {
    static func decode(_ source: SpecSource) throws(Diagnostics) -> Caravan_V1_Job {
        let start = SourceRange(filename: source.filename)
        let bytes = unwrapped(source.bytes)
        do {
            return try Caravan_V1_Job(jsonUTF8Data: Data(bytes))
        } catch let error as JSONDecodingError {
            // A syntax error has a position when parsed as HCL's JSON-compatible expression syntax.
            do {
                _ = try HCLParser.parseExpression(
                    String(decoding: source.bytes, as: UTF8.self), filename: source.filename)
            } catch {
                throw error
            }
            throw Diagnostics(.error(message(for: error), at: start))
        } catch {
            throw Diagnostics(.error("invalid job JSON: \(error)", at: start))
        }
    }

    static func message(for error: JSONDecodingError) -> String {
        switch error {
        case .unknownField(let name):
            "unknown field \(quoted(name)) in job JSON; fields are the protobuf JSON names of caravan.v1.Job"
        case .unrecognizedEnumValue:
            "invalid job JSON: an enum field has a value that is not one of its names"
        case .malformedDuration:
            "invalid job JSON: durations are written as strings of seconds, e.g. \"30s\" or \"1.5s\""
        case .schemaMismatch, .malformedString, .malformedNumber, .malformedBool, .numberRange:
            "invalid job JSON: a field has a value of the wrong type (\(error))"
        default:
            "invalid job JSON: \(error)"
        }
    }

    /// The inner object of `{"Job": {...}}` or `{"job": {...}}`; other documents unchanged.
    static func unwrapped(_ bytes: [UInt8]) -> [UInt8] {
        var index = 0
        func skipBlanks() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        skipBlanks()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return bytes }
        index += 1
        skipBlanks()
        let keys = [Array("\"Job\"".utf8), Array("\"job\"".utf8)]
        guard let key = keys.first(where: { bytes[index...].starts(with: $0) }) else { return bytes }
        index += key.count
        skipBlanks()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return bytes }
        index += 1
        var end = bytes.count
        while end > index, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
        guard end > index, bytes[end - 1] == UInt8(ascii: "}") else { return bytes }
        return Array(bytes[index..<(end - 1)])
    }
}
