import CaravanProto
import ClientFS
import Foundation

/// Writes a dispatched job's payload to the file its task's `dispatch_payload` block names, inside the task's
/// `local/` dir, before the task starts (Nomad's dispatch hook). A name that leads out of `local/` is a setup
/// failure, so a job cannot make the client write elsewhere on the host.
enum DispatchPayloadFile {
    /// Writes `payload` for `task`; does nothing when the task asks for no file or there is no payload.
    static func write(_ payload: Data, for task: Caravan_V1_Task, taskDir: TaskDir) throws {
        guard task.hasDispatchPayload, !task.dispatchPayload.file.isEmpty, !payload.isEmpty else { return }
        let path = try destination(task.dispatchPayload.file, localDir: taskDir.localDir)
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw TaskSetupError(
                "cannot create the directory of dispatch payload \(path): \(error.localizedDescription)")
        }
        // The task may have replaced a directory on the way with a symlink: follow the links before writing.
        let parent = url.deletingLastPathComponent().resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: taskDir.localDir).resolvingSymlinksInPath().path
        guard isInside(parent, root: root) else {
            throw TaskSetupError(
                "dispatch_payload file \"\(task.dispatchPayload.file)\" leads out of the task's local/ dir")
        }
        do {
            try payload.write(to: url, options: .atomic)
        } catch {
            throw TaskSetupError("cannot write dispatch payload \(path): \(error.localizedDescription)")
        }
    }

    /// The host path of `file` taken relative to `localDir`; refused when `..` leads out of it.
    static func destination(_ file: String, localDir: String) throws -> String {
        guard let root = normalizePath(localDir), let path = normalizePath(localDir + "/" + file),
            isInside(path, root: root), path != root
        else {
            throw TaskSetupError(
                "dispatch_payload file \"\(file)\" must name a file inside the task's local/ dir")
        }
        return path
    }
}
