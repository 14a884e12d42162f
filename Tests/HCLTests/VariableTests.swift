import HCL
import Testing

@Suite("Variables and locals")
struct VariableTests {
    static let declarations = """
        variable "port" {
          type    = number
          default = 80
        }
        variable "name" {
          description = "service name"
          default     = "web"
        }
        variable "tags" {
          type    = list(string)
          default = []
        }
        variable "meta" {
          type    = map(string)
          default = {}
        }
        variable "enabled" {
          type    = bool
          default = false
        }
        job = "${var.name}-${var.port}"
        """

    func load(_ source: String = Self.declarations, _ options: VariableInputs = VariableInputs()) throws -> HCLDocument
    {
        try HCLDocument.load(source: source, filename: "job.hcl", options: options)
    }

    @Test("defaults apply and variable blocks are removed from the body")
    func defaults() throws {
        let document = try load()
        #expect(document.body.items.count == 1)
        #expect(
            document.context.variables["var"] == ["port": 80, "name": "web", "tags": [], "meta": [:], "enabled": false])
        #expect(try attributeValue(document.body, "job", document.context) == "web-80")
        #expect(document.variables.map(\.name) == ["port", "name", "tags", "meta", "enabled"])
        #expect(document.variables[1].description == "service name")
    }

    @Test("each source converts to the declared type")
    func sources() throws {
        let fromEnvironment = try load(
            Self.declarations,
            VariableInputs(environment: [
                "CARAVAN_VAR_port": "8080", "CARAVAN_VAR_tags": "[\"a\", \"b\"]", "CARAVAN_VAR_enabled": "true",
                "CARAVAN_VAR_meta": "{ team = \"x\" }", "PATH": "/bin", "CARAVAN_VAR_unknown": "ignored",
            ]))
        #expect(fromEnvironment.context.variables["var"]?["port"] == 8080)
        #expect(fromEnvironment.context.variables["var"]?["tags"] == ["a", "b"])
        #expect(fromEnvironment.context.variables["var"]?["enabled"] == true)
        #expect(fromEnvironment.context.variables["var"]?["meta"] == ["team": "x"])

        let file = SourceFile(filename: "vars.hcl", text: "port = \"9000\"\ntags = [\"x\"]\nother = 1\n")
        let fromFile = try load(Self.declarations, VariableInputs(files: [file]))
        #expect(fromFile.context.variables["var"]?["port"] == 9000)
        #expect(fromFile.context.variables["var"]?["tags"] == ["x"])
        #expect(
            fromFile.warnings.map(\.description) == [
                "vars.hcl:3:1: \"other\" is set here but no variable block declares it; the value is ignored"
            ])

        let fromFlags = try load(
            Self.declarations, VariableInputs(assignments: ["port=1", "name=a=b", "meta={a=\"1\"}"]))
        #expect(fromFlags.context.variables["var"]?["port"] == 1)
        #expect(fromFlags.context.variables["var"]?["name"] == "a=b")
        #expect(fromFlags.context.variables["var"]?["meta"] == ["a": "1"])
    }

    @Test("flags beat files, files beat the environment, the environment beats defaults")
    func priority() throws {
        let first = SourceFile(filename: "a.hcl", text: "port = 2\nname = \"file-a\"\n")
        let second = SourceFile(filename: "b.hcl", text: "port = 3\n")
        let document = try load(
            Self.declarations,
            VariableInputs(
                environment: ["CARAVAN_VAR_port": "1", "CARAVAN_VAR_name": "env", "CARAVAN_VAR_tags": "[\"env\"]"],
                files: [first, second], assignments: ["port=4", "port=5"]))
        let variables = try #require(document.context.variables["var"])
        #expect(variables["port"] == 5)
        #expect(variables["name"] == "file-a")
        #expect(variables["tags"] == ["env"])
        #expect(variables["enabled"] == false)
        let noFlags = try load(
            Self.declarations, VariableInputs(environment: ["CARAVAN_VAR_port": "1"], files: [second]))
        #expect(noFlags.context.variables["var"]?["port"] == 3)
    }

    @Test("bad values, missing values and undeclared flags are errors naming the variable")
    func errors() {
        func messages(_ source: String, _ options: VariableInputs) -> [String] {
            do {
                _ = try HCLDocument.load(source: source, filename: "job.hcl", options: options)
                return []
            } catch {
                return error.map(\.description)
            }
        }
        #expect(
            messages(Self.declarations, VariableInputs(assignments: ["port=abc"])) == [
                "-var:1:6: invalid value for variable \"port\": a number is required, but got string \"abc\""
            ])
        #expect(
            messages(Self.declarations, VariableInputs(environment: ["CARAVAN_VAR_enabled": "yes"])) == [
                "CARAVAN_VAR_enabled:1:1: invalid value for variable \"enabled\": a bool is required, but got string \"yes\""
            ])
        #expect(
            messages(Self.declarations, VariableInputs(files: [SourceFile(filename: "v.hcl", text: "tags = 5\n")])) == [
                "v.hcl:1:8: invalid value for variable \"tags\": a list is required, but got number 5"
            ])
        #expect(
            messages(Self.declarations, VariableInputs(assignments: ["nope=1", "port"])) == [
                "-var:1:1: -var sets \"nope\", which is not declared; declare it with a variable block",
                "-var:1:1: invalid -var \"port\"; expected name=value",
            ])
        #expect(
            messages("variable \"region\" {}\n", VariableInputs()) == [
                "job.hcl:1:10: variable \"region\" has no value; give it a default, or set it with -var region=..., "
                    + "a -var-file, or CARAVAN_VAR_region"
            ])
        #expect(
            messages("variable \"n\" {\n  type = number\n  default = \"x\"\n}\n", VariableInputs()) == [
                "job.hcl:3:13: invalid default for variable \"n\": a number is required, but got string \"x\""
            ])
        #expect(
            messages("variable \"n\" {\n  typo = 1\n  default = 2\n}\n", VariableInputs()) == [
                "job.hcl:2:3: unknown attribute \"typo\" in variable \"n\"; expected one of: type, default, description, "
                    + "sensitive, nullable"
            ])
        #expect(messages("a = var.missing\nb = \"${var.other}\"\n", VariableInputs()).isEmpty)
    }

    @Test("validation blocks reject values with their own message")
    func validation() throws {
        let source = """
            variable "count" {
              type = number
              default = 1
              validation {
                condition     = var.count > 0
                error_message = "count must be positive"
              }
            }
            """
        #expect(try HCLDocument.load(source: source, filename: "job.hcl").context.variables["var"]?["count"] == 1)
        #expect(throws: Diagnostics.self) {
            try HCLDocument.load(source: source, filename: "job.hcl", options: VariableInputs(assignments: ["count=0"]))
        }
    }

    @Test("locals may reference variables and earlier or later locals")
    func locals() throws {
        let document = try load(
            """
            variable "env" { default = "prod" }
            locals {
              full = "${local.prefix}-${var.env}"
            }
            locals {
              prefix = upper(local.base)
              base   = "api"
              addr   = "${NOMAD_IP_http}:${local.port}"
              port   = 8080
            }
            service = local.full
            """)
        #expect(
            document.context.variables["local"] == [
                "full": "API-prod", "prefix": "API", "base": "api", "addr": "${NOMAD_IP_http}:8080", "port": 8080,
            ])
        #expect(try attributeValue(document.body, "service", document.context) == "API-prod")
    }

    @Test("cyclic, duplicate and undefined locals are errors")
    func badLocals() {
        func messages(_ source: String) -> [String] {
            do {
                _ = try HCLDocument.load(source: source, filename: "job.hcl")
                return []
            } catch {
                return error.map(\.description)
            }
        }
        #expect(
            messages("locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n") == [
                "job.hcl:4:3: local value \"c\" depends on itself: local.a -> local.b -> local.c -> local.a"
            ])
        #expect(
            messages("locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n") == [
                "job.hcl:5:3: duplicate local value \"a\"; it was already defined at line 2, column 3"
            ])
        #expect(
            messages("locals {\n  a = local.nope\n}\n") == [
                "job.hcl:2:7: unknown local value local.nope; define it in a locals block"
            ])
        #expect(
            messages("locals {\n  a = var.nope\n}\n") == [
                "job.hcl:2:7: unknown variable var.nope; declare it in a variable block"
            ])
    }

    @Test("a long chain of locals resolves without deep recursion")
    func longChain() throws {
        var source = "locals {\n"
        for index in (1..<2000).reversed() { source += "  l\(index) = local.l\(index - 1) + 1\n" }
        source += "  l0 = 0\n}\n"
        let document = try HCLDocument.load(source: source, filename: "job.hcl")
        #expect(document.context.variables["local"]?["l1999"] == 1999)
    }
}
