import Foundation
import HCL
import Spec

/// Turns `-config FILE` (repeatable) into the flags it stands for, placed before the command line's own flags.
///
/// Agent config files are Nomad-style HCL or JSON (`AgentConfigSpec`). Their settings become flags in front of the
/// user's, and the last occurrence of a flag wins, so flags on the command line override files, later files
/// override earlier ones, and every value goes through the same validation as a flag.
public enum ConfigFileArguments {
    /// Which daemon reads the files: it decides which port and server list the files feed.
    public enum Daemon: Sendable {
        case server, client, mesh, proxy
    }

    /// `arguments` with every `-config` removed and the files' settings prepended as flags.
    public static func expand(_ arguments: [String], for daemon: Daemon) throws(Diagnostics) -> [String] {
        var files: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-config" || argument == "--config" {
                guard index + 1 < arguments.count else {
                    rest.append(argument)  // let the parser report the missing value
                    break
                }
                files.append(arguments[index + 1])
                index += 2
                continue
            }
            if let value = argument.value(ofPrefix: "-config=") ?? argument.value(ofPrefix: "--config=") {
                files.append(value)
            } else {
                rest.append(argument)
            }
            index += 1
        }
        guard !files.isEmpty else { return arguments }
        var sources: [SpecSource] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                let start = SourcePosition(line: 1, column: 1, offset: 0)
                let range = SourceRange(filename: file, start: start, end: start)
                throw Diagnostics(.error("cannot read the agent config file", at: range))
            }
            sources.append(SpecSource(filename: file, bytes: Array(data)))
        }
        return flags(for: try AgentConfigSpec.decode(sources), daemon: daemon) + rest
    }

    /// The flags equivalent to `config` for `daemon`.
    public static func flags(for config: AgentConfig, daemon: Daemon) -> [String] {
        var flags = ["-region", config.region, "-dc", config.datacenter, "-bind", config.bindAddr]
        flags += ["-log-level", config.logLevel.rawValue]
        if config.logJSON { flags.append("-log-json") }
        if let name = config.name { flags += ["-node", name] }
        if let dataDir = config.dataDir { flags += ["-data-dir", dataDir] }
        if let file = config.tls.caFile { flags += ["-ca-file", file] }
        if let file = config.tls.certFile { flags += ["-cert-file", file] }
        if let file = config.tls.keyFile { flags += ["-key-file", file] }
        switch daemon {
        case .server:
            flags += ["-rpc-port", "\(config.ports.rpc)", "-raft-port", "\(config.ports.raft)"]
            flags += ["-http-port", "\(config.ports.http)"]
            if let expect = config.server.bootstrapExpect { flags += ["-bootstrap-expect", "\(expect)"] }
            if !config.server.retryJoin.isEmpty { flags += ["-join", config.server.retryJoin.joined(separator: ",")] }
        case .client:
            flags += ["-port", "\(config.ports.client)"]
            if !config.client.servers.isEmpty { flags += ["-servers", config.client.servers.joined(separator: ",")] }
            for volume in config.client.hostVolumes.values.sorted(by: { $0.name < $1.name }) {
                flags += ["-host-volume", "\(volume.name)=\(volume.path)\(volume.readOnly ? ":ro" : "")"]
            }
            for (key, value) in config.client.meta.sorted(by: { $0.key < $1.key }) {
                flags += ["-meta", "\(key)=\(value)"]
            }
            if config.rawExecEnabled { flags.append("-enable-raw-exec") }
            let defaults = AgentConfig.Client()
            if config.client.bridgeNetworkName != defaults.bridgeNetworkName {
                flags += ["-bridge-network-name", config.client.bridgeNetworkName]
            }
            if config.client.bridgeNetworkSubnet != defaults.bridgeNetworkSubnet {
                flags += ["-bridge-network-subnet", config.client.bridgeNetworkSubnet]
            }
        case .mesh:
            flags += ["-port", "\(config.ports.mesh)"]
            if !config.mesh.servers.isEmpty { flags += ["-servers", config.mesh.servers.joined(separator: ",")] }
            flags += ["-default-intention-policy", config.mesh.defaultIntentionPolicy.rawValue]
        case .proxy:
            break
        }
        return flags
    }
}

extension String {
    fileprivate func value(ofPrefix prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}

/// The command line a daemon parses: `-h` as `-help`, and `-config` files expanded into flags.
public enum DaemonArguments {
    /// Exits with status 1 and every problem as `file:line:col: message` when a config file is bad.
    public static func prepare(for daemon: ConfigFileArguments.Daemon, label: String) -> [String] {
        do {
            return try ConfigFileArguments.expand(HashiCorpArguments.normalized(), for: daemon)
        } catch {
            for diagnostic in error.items {
                FileHandle.standardError.write(Data("\(label): \(diagnostic)\n".utf8))
            }
            exit(1)
        }
    }
}
