import ArgumentParser

extension NameSpecification {
    /// `-name` and `--name`: HashiCorp tools take single-dash long flags, and people type both.
    public static func hashicorp(_ name: String) -> NameSpecification {
        [.customLong(name, withSingleDash: true), .customLong(name)]
    }
}
