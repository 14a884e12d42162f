import CaravanProto

/// Renders a task's `template` blocks with inline data into bytes and a destination inside the task dir.
struct TemplateRenderer: Sendable {
    /// Host path of the task dir; relative destinations are resolved against it.
    var taskDir: String
    /// Host path of the shared alloc dir, which templates may also write into (nil: task dir only).
    var sharedAllocDir: String?
    /// The task's environment: `{{ env "NAME" }}` reads it and `${...}` in the destination is interpolated with it.
    var environment: [String: String]

    init(taskDir: String, sharedAllocDir: String? = nil, environment: [String: String]) {
        self.taskDir = taskDir
        self.sharedAllocDir = sharedAllocDir
        self.environment = environment
    }

    func render(_ template: Caravan_V1_Template) throws(TemplateError) -> RenderedTemplate {
        let name = template.destPath
        guard template.sourcePath.isEmpty else {
            throw TemplateError(message: "template source_path is not supported yet")
        }
        let destination = try resolveDestination(template.destPath)
        let permissions = try Self.parsePermissions(template.perms, template: name)
        var changeSignal: Int32?
        if template.changeMode == .signal {
            do {
                changeSignal = try SignalName.parse(template.changeSignal)
            } catch {
                throw TemplateError(template: name, message: "change_signal: \(error)")
            }
        }
        let text: String
        do {
            text = try TemplateText(leftDelimiter: template.leftDelimiter, rightDelimiter: template.rightDelimiter)
                .render(template.embeddedTmpl, environment: environment)
        } catch {
            throw TemplateError(template: name, message: "line \(error.line): \(error.message)")
        }
        var variables: [String: String]?
        if template.envvars {
            do {
                variables = try parseEnvironmentFile(text)
            } catch {
                throw TemplateError(template: name, message: "line \(error.line): \(error.message)")
            }
        }
        return RenderedTemplate(
            destination: destination, contents: Array(text.utf8), permissions: permissions,
            changeMode: template.changeMode == .unspecified ? .restart : template.changeMode,
            changeSignal: changeSignal, environment: variables)
    }

    /// The absolute host path for `destPath`: interpolated, then taken relative to the task dir unless it already
    /// names a place inside the task dir or shared alloc dir. Refused when it escapes both.
    func resolveDestination(_ destPath: String) throws(TemplateError) -> String {
        guard !destPath.isEmpty else { throw TemplateError(message: "template: destination is required") }
        let interpolated = Interpolator(environment: environment).interpolate(destPath)
        let roots = [taskDir] + (sharedAllocDir.map { [$0] } ?? [])
        if interpolated.hasPrefix("/"), let normalized = normalizePath(interpolated),
            roots.contains(where: { isInside(normalized, root: $0) })
        {
            return normalized
        }
        guard let normalized = normalizePath(taskDir + "/" + interpolated), isInside(normalized, root: taskDir) else {
            throw TemplateError(template: destPath, message: "destination escapes the task directory")
        }
        return normalized
    }

    /// Octal permissions such as "0644" (default 0644 when empty).
    static func parsePermissions(_ perms: String, template: String) throws(TemplateError) -> UInt32 {
        if perms.isEmpty { return 0o644 }
        var digits = Substring(perms)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."7").contains($0) }), let mode = UInt32(digits, radix: 8),
            mode <= 0o7777
        else {
            throw TemplateError(template: template, message: "perms \"\(perms)\" is not an octal file mode")
        }
        return mode
    }
}

/// A rendered template, ready to be written.
struct RenderedTemplate: Sendable, Equatable {
    /// Absolute host path, inside the task dir (or the shared alloc dir).
    var destination: String
    var contents: [UInt8]
    /// File mode bits, e.g. 0o644.
    var permissions: UInt32
    /// What to do to the task when the output changes (unset is restart).
    var changeMode: Caravan_V1_Template.ChangeMode
    /// The signal for `change_mode = "signal"`.
    var changeSignal: Int32?
    /// Variables for the task's environment when the template sets `env = true`.
    var environment: [String: String]?
}

/// Why a template cannot be rendered; the message names the template's destination and, for syntax, the line.
struct TemplateError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(message: String) {
        self.message = message
    }

    init(template: String, message: String) {
        self.message = "template \(template): \(message)"
    }

    var description: String { message }
}

/// Parses `KEY=VALUE` lines (blank lines and `#` comments ignored, optional `export `, optional quotes).
func parseEnvironmentFile(_ text: String) throws(TemplateSyntaxError) -> [String: String] {
    var result: [String: String] = [:]
    for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var line = rawLine.trimmingWhitespace()
        if line.isEmpty || line.hasPrefix("#") { continue }
        if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingWhitespace() }
        guard let equals = line.firstIndex(of: "=") else {
            throw TemplateSyntaxError(line: offset + 1, message: "expected KEY=VALUE")
        }
        let key = line[..<equals].trimmingWhitespace()
        guard !key.isEmpty, !key.contains(" ") else {
            throw TemplateSyntaxError(line: offset + 1, message: "invalid variable name \"\(key)\"")
        }
        var value = line[line.index(after: equals)...].trimmingWhitespace()
        if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
            value = String(value.dropFirst().dropLast())
        }
        result[key] = value
    }
    return result
}

/// `path` with `.`, `..` and repeated slashes resolved lexically; nil when `..` climbs above `/`.
func normalizePath(_ path: String) -> String? {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        if part == "." { continue }
        if part == ".." {
            if parts.isEmpty { return nil }
            parts.removeLast()
        } else {
            parts.append(part)
        }
    }
    return "/" + parts.joined(separator: "/")
}

/// Whether the normalized `path` is `root` or below it.
func isInside(_ path: String, root: String) -> Bool {
    guard let root = normalizePath(root) else { return false }
    if root == "/" { return true }
    return path == root || path.hasPrefix(root + "/")
}
