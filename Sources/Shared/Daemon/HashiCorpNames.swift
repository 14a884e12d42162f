import ArgumentParser

extension NameSpecification {
    /// `-name` and `--name`: HashiCorp tools take single-dash long flags, and people type both.
    public static func hashicorp(_ name: String) -> NameSpecification {
        [.customLong(name, withSingleDash: true), .customLong(name)]
    }
}

extension NameSpecification {
    /// `-help` and `--help`. Not a short `-h`: it would make ArgumentParser read an unknown single-dash flag
    /// such as `-no-such-flag` as a bundle of short flags containing `h`, printing help and exiting 0 instead of
    /// rejecting it. `HashiCorpArguments` turns a lone `-h` into `-help` instead.
    public static let hashicorpHelp: NameSpecification = [
        .customLong("help", withSingleDash: true), .customLong("help"),
    ]
}

/// Command-line arguments as HashiCorp users type them.
public enum HashiCorpArguments {
    /// The process arguments (without the executable) with a lone `-h` meaning `-help`.
    public static func normalized(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> [String] {
        arguments.map { $0 == "-h" ? "-help" : $0 }
    }
}
