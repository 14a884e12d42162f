import CaravanProto
import Foundation
import HCL
import Spec
import SwiftProtobuf
import Testing

@Suite("Jobs survive HCL → protobuf → JSON → decode unchanged")
struct JobSpecRoundTripTests {
    static let fixtures = [
        "mysql.hcl", "api-bridge.hcl", "connect-upstreams.hcl", "mixed-drivers.hcl", "batch-periodic.hcl",
        "parameterized.hcl", "system.hcl", "everything.hcl",
    ]

    @Test("the JSON of a decoded fixture decodes to an equal job", arguments: fixtures)
    func roundTrip(file: String) throws {
        let job = try JobFixtures.decode(file)
        let json = try job.jsonString()
        let again = try JobSpec.decode(SpecSource(filename: "job.json", text: json))
        #expect(again == job)
    }

    @Test("the job may be wrapped as {\"Job\": ...} or {\"job\": ...}, and a .json name is not needed")
    func wrapped() throws {
        let job = try JobFixtures.decode("everything.hcl")
        let json = try job.jsonString()
        for text in ["{\"Job\": \(json)}", "{ \"job\" :\n\(json)\n}\n", json] {
            #expect(try JobSpec.decode(SpecSource(filename: "stdin", text: text)) == job)
        }
    }

    @Test("the variables fixture round-trips too")
    func variables() throws {
        let job = try JobFixtures.decode(
            "variables.hcl", variables: VariableInputs(assignments: ["image_version=9"]))
        let again = try JobSpec.decode(SpecSource(filename: "cache.json", text: try job.jsonString()))
        #expect(again == job)
    }

    @Test("minimal JSON gets the same defaults as the equivalent minimal HCL")
    func minimalJSONDefaults() throws {
        let hcl = """
            job "tiny" {
              group "g" {
                task "t" {
                  driver = "docker"
                  config { image = "redis:7" }
                }
              }
            }
            """
        let json = """
            {"name": "tiny", "taskGroups": [{"name": "g", "tasks": [
              {"name": "t", "driver": "docker", "config": {"image": "redis:7"}}]}]}
            """
        let fromHCL = try JobSpec.decode(SpecSource(filename: "tiny.hcl", text: hcl))
        let fromJSON = try JobSpec.decode(SpecSource(filename: "tiny.json", text: json))
        #expect(fromJSON == fromHCL)
        #expect(fromJSON.id == "tiny")
        #expect(fromJSON.region == "global")
        #expect(fromJSON.namespace == "default")
        #expect(fromJSON.priority == 50)
        #expect(fromJSON.taskGroups.first?.restartPolicy.attempts == 2)
    }

    @Test("a JSON syntax error is reported where it is")
    func syntaxError() throws {
        let source = SpecSource(filename: "bad.json", text: "{\n  \"name\": \"x\",\n  \"taskGroups\": [,]\n}")
        do {
            _ = try JobSpec.decode(source)
            Issue.record("decoding succeeded")
        } catch {
            #expect(error.items.first?.range.start.line == 3)
            #expect(error.description.hasPrefix("bad.json:3:"))
        }
    }

    @Test("a JSON enum value that does not exist is an error at 1:1")
    func badEnum() throws {
        let source = SpecSource(filename: "job.json", text: #"{"name": "x", "type": "JOB_TYPE_CRON"}"#)
        #expect(throws: Diagnostics.self) { try JobSpec.decode(source) }
        do {
            _ = try JobSpec.decode(source)
        } catch {
            #expect(error.description.hasPrefix("job.json:1:1: invalid job JSON"))
        }
    }
}
