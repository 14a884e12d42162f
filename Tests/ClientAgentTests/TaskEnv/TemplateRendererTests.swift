import CaravanProto
import Testing

@testable import ClientAgent

@Suite("Template renderer")
struct TemplateRendererTests {
    private let renderer = TemplateRenderer(
        taskDir: "/data/alloc/a1/server", sharedAllocDir: "/data/alloc/a1/alloc",
        environment: ["NOMAD_PORT_http": "8080", "NOMAD_TASK_DIR": "/local", "NOMAD_SECRETS_DIR": "/secrets"])

    private func template(
        _ data: String, destination: String = "local/app.conf", perms: String = "", left: String = "",
        right: String = "", env: Bool = false
    ) -> Caravan_V1_Template {
        var template = Caravan_V1_Template()
        template.embeddedTmpl = data
        template.destPath = destination
        template.perms = perms
        template.leftDelimiter = left
        template.rightDelimiter = right
        template.envvars = env
        return template
    }

    private func text(_ rendered: RenderedTemplate) -> String { String(decoding: rendered.contents, as: UTF8.self) }

    @Test(
        "literal text, env, string literals, trim markers and comments",
        arguments: [
            ("port = {{ env \"NOMAD_PORT_http\" }}\n", "port = 8080\n"),
            ("{{env \"NOMAD_PORT_http\"}}", "8080"),
            ("missing=[{{ env \"NOPE\" }}]", "missing=[]"),
            ("a  \n\t{{- env \"NOMAD_PORT_http\" -}}  \n b", "a8080b"),
            ("a {{- \"x\" }} b", "ax b"),
            ("a {{ \"x\" -}} b", "a xb"),
            ("x{{/* a comment }} with braces */}}y", "xy"),
            ("x \n {{- /* trimmed */ -}} \n y", "xy"),
            ("{{ \"}}\" }}", "}}"),
            ("{{ `raw \\n` }}", "raw \\n"),
            ("no actions at all", "no actions at all"),
            ("", ""),
        ])
    func rendering(input: String, expected: String) throws {
        #expect(try text(renderer.render(template(input))) == expected)
    }

    @Test("custom delimiters; the default ones are then plain text")
    func customDelimiters() throws {
        let rendered = try renderer.render(
            template("port=[[ env \"NOMAD_PORT_http\" ]] {{ not an action }}", left: "[[", right: "]]"))
        #expect(text(rendered) == "port=8080 {{ not an action }}")
    }

    @Test(
        "unsupported functions and keywords are refused with their name and line",
        arguments: [
            ("a\nb\n{{ key \"x\" }}", "template local/app.conf: line 3: function \"key\" is not supported yet"),
            ("{{ range service \"db\" }}{{ end }}", "template local/app.conf: line 1: \"range\" is not supported yet"),
            (
                "\n{{ env \"A\" | toUpper }}",
                "template local/app.conf: line 2: function \"toUpper\" is not supported yet"
            ),
            ("{{ .Name }}", "template local/app.conf: line 1: \".Name\" is not supported yet"),
            ("{{ }}", "template local/app.conf: line 1: missing value for command"),
            ("x\n{{ env \"A\"", "template local/app.conf: line 2: unclosed action"),
            ("{{/* open", "template local/app.conf: line 1: unclosed comment"),
            ("{{ env }}", "template local/app.conf: line 1: function \"env\" takes one string argument"),
            ("{{ env \"unterminated }}", "template local/app.conf: line 1: unclosed action"),
        ])
    func unsupported(input: String, message: String) {
        #expect(throws: TemplateError(message: message)) { try renderer.render(template(input)) }
    }

    @Test(
        "destinations resolve inside the task dir; escapes are refused",
        arguments: [
            ("local/app.conf", "/data/alloc/a1/server/local/app.conf"),
            ("./local//x/../app.conf", "/data/alloc/a1/server/local/app.conf"),
            ("/local/app.conf", "/data/alloc/a1/server/local/app.conf"),
            ("${NOMAD_SECRETS_DIR}/token", "/data/alloc/a1/server/secrets/token"),
            ("/data/alloc/a1/server/local/y", "/data/alloc/a1/server/local/y"),
            ("/data/alloc/a1/alloc/shared.conf", "/data/alloc/a1/alloc/shared.conf"),
        ])
    func destinations(destination: String, expected: String) throws {
        #expect(try renderer.render(template("x", destination: destination)).destination == expected)
    }

    @Test(
        "a destination that climbs out of the task dir is refused", arguments: ["../other/x", "local/../../x", "/.."])
    func escapes(destination: String) {
        #expect(throws: TemplateError(template: destination, message: "destination escapes the task directory")) {
            try renderer.render(template("x", destination: destination))
        }
    }

    @Test("perms are octal; default 0644; bad perms are errors")
    func permissions() throws {
        #expect(try renderer.render(template("x")).permissions == 0o644)
        #expect(try renderer.render(template("x", perms: "0600")).permissions == 0o600)
        #expect(try renderer.render(template("x", perms: "755")).permissions == 0o755)
        for bad in ["0999", "rw-r--r--", "077777", "-1"] {
            #expect(
                throws: TemplateError(
                    template: "local/app.conf", message: "perms \"\(bad)\" is not an octal file mode")
            ) { try renderer.render(template("x", perms: bad)) }
        }
    }

    @Test("env = true parses KEY=VALUE lines, ignoring blanks and comments")
    func environmentTemplate() throws {
        let data = """
            # database settings
            DB_HOST=db.internal

            DB_PORT = {{ env "NOMAD_PORT_http" }}
            export QUOTED="a b"
            EMPTY=
            """
        let rendered = try renderer.render(template(data, env: true))
        #expect(rendered.environment == ["DB_HOST": "db.internal", "DB_PORT": "8080", "QUOTED": "a b", "EMPTY": ""])
        #expect(try renderer.render(template("A=1")).environment == nil)
        #expect(throws: TemplateError(template: "local/app.conf", message: "line 2: expected KEY=VALUE")) {
            try renderer.render(template("A=1\njunk", env: true))
        }
    }

    @Test("source_path templates are refused")
    func sourcePath() {
        var source = template("")
        source.sourcePath = "local/app.tpl"
        #expect(throws: TemplateError(message: "template source_path is not supported yet")) {
            try renderer.render(source)
        }
    }

    @Test("change_mode signal resolves its signal; unset change_mode is restart")
    func changeMode() throws {
        var signal = template("x")
        signal.changeMode = .signal
        signal.changeSignal = "SIGHUP"
        let rendered = try renderer.render(signal)
        #expect(rendered.changeSignal == 1)
        #expect(try renderer.render(template("x")).changeMode == .restart)
        signal.changeSignal = "SIGNOPE"
        #expect(throws: TemplateError.self) { try renderer.render(signal) }
    }
}
