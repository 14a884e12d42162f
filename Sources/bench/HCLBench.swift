import ArgumentParser
import CaravanDaemon
import Foundation
import HCL
import Spec

/// Parse + decode throughput of a large Nomad job file (the cost of `ctl job run` on big jobs).
struct HCLBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hcl",
        abstract: "Parse and decode a generated job file of about -size-mb megabytes."
    )

    @Option(name: .hashicorp("size-mb"), help: "Approximate size of the generated job file.") var sizeMB = 1.0
    @Option(name: .hashicorp("rounds"), help: "How many times to parse and decode it.") var rounds = 5
    @Flag(name: .hashicorp("json")) var json = false

    func run() async throws {
        let text = Self.generateJob(bytes: Int(sizeMB * 1_048_576))
        let source = SpecSource(filename: "bench.hcl", text: text)
        let megabytes = Double(source.bytes.count) / 1_048_576
        let clock = ContinuousClock()
        var parse: Duration = .zero
        var decode: Duration = .zero
        var groups = 0
        for _ in 0..<rounds {
            let parseStart = clock.now
            _ = try HCLParser.parse(bytes: source.bytes, filename: source.filename)
            parse += clock.now - parseStart
            let decodeStart = clock.now
            groups = try JobSpec.decode(source).taskGroups.count
            decode += clock.now - decodeStart
        }
        BenchResult.print(
            [
                BenchResult(name: "job file size", value: megabytes, unit: "MB (\(groups) groups)"),
                BenchResult(name: "parse", value: megabytes * Double(rounds) / parse.seconds, unit: "MB/s"),
                BenchResult(
                    name: "parse + decode to proto",
                    value: megabytes * Double(rounds) / decode.seconds,
                    unit: "MB/s"
                ),
            ],
            json: json
        )
    }

    /// A service job with as many groups as fit in `bytes`, each with a bridge network, a connect service and
    /// two tasks: the shape of the seed talk's jobs, repeated.
    static func generateJob(bytes: Int) -> String {
        var text = "job \"bench\" {\n  datacenters = [\"dc1\"]\n  type = \"service\"\n"
        var index = 0
        while text.utf8.count < bytes {
            text += """
                  group "g\(index)" {
                    count = 3
                    network {
                      mode = "bridge"
                      port "http" {
                        to = 9090
                      }
                    }
                    service {
                      name = "svc-\(index)"
                      port = "http"
                      tags = ["v1", "bench"]
                      connect {
                        sidecar_service {
                          proxy {
                            upstreams {
                              destination_name = "payments"
                              local_bind_port = 9091
                            }
                          }
                        }
                      }
                    }
                    task "api" {
                      driver = "exec"
                      config {
                        command = "/bin/api"
                        args = ["-listen", ":${NOMAD_PORT_http}", "-id", "\(index)"]
                      }
                      env {
                        MODE = "bench"
                      }
                      resources {
                        cpu = 200
                        memory = 128
                      }
                    }
                    task "worker" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/worker"
                      }
                    }
                  }

                """
            index += 1
        }
        return text + "}\n"
    }
}
