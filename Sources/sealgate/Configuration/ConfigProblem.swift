/// One thing wrong with a configuration file, located by line and column.
struct ConfigProblem: Error, Hashable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var message: String

    var description: String { "\(self.file):\(self.line):\(self.column): \(self.message)" }
}

/// Every problem found in a configuration file; the proxy never starts half-configured.
struct ConfigErrors: Error, CustomStringConvertible {
    var problems: [ConfigProblem]

    var description: String {
        let count = self.problems.count
        return "configuration refused (\(count) problem\(count == 1 ? "" : "s")):\n"
            + self.problems.map { "  \($0)" }.joined(separator: "\n")
    }
}
