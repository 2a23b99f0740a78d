import ArgumentParser

/// Catches a mistyped command name before ArgumentParser takes it for an argument of the default
/// command (`sealgate chek-config x` would otherwise complain that `run` misses `--config`).
enum CommandSuggestion {
    /// The error to print for `arguments`, naming the nearest command, or nil when every word before the
    /// first option names a command.
    static func message(for arguments: [String], root: any ParsableCommand.Type, rootName: String = "sealgate") -> String? {
        var command = root
        var path = [rootName]
        for argument in arguments {
            let subcommands = command.configuration.subcommands
            guard !argument.hasPrefix("-"), !subcommands.isEmpty, argument != "help" else { return nil }
            if let next = subcommands.first(where: { Self.names(of: $0).contains(argument) }) {
                command = next
                path.append(argument)
                continue
            }
            let names = subcommands.map { Self.names(of: $0)[0] }
            var text = "Error: '\(argument)' is not a command of \(path.joined(separator: " "))."
            let nearest = subcommands.flatMap(Self.names).min { Self.distance(argument, $0) < Self.distance(argument, $1) }
            if let nearest, Self.distance(argument, nearest) <= max(2, nearest.count / 3) {
                text += " Did you mean '\(nearest)'?"
            }
            return text + "\nCommands: \(names.joined(separator: ", ")). See '\(path.joined(separator: " ")) --help'."
        }
        return nil
    }

    private static func names(of command: any ParsableCommand.Type) -> [String] {
        [command.configuration.commandName ?? "\(command)".lowercased()] + command.configuration.aliases
    }

    /// The edit distance counting insertions, deletions, substitutions and swaps of two neighbouring
    /// characters (optimal string alignment), so that `lsit` is one edit from `list`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
