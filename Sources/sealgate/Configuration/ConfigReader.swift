import Foundation
import Yams

/// Walks a YAML document, converting values and collecting every problem with its line, instead of
/// stopping at the first. Unknown keys are problems too: a typo must not silently disable a rule.
final class ConfigReader {
    let file: String
    /// The directory relative paths are resolved against.
    let directory: URL
    private(set) var problems: [ConfigProblem] = []
    /// Things that work but are probably not what was meant.
    private(set) var warnings: [ConfigProblem] = []

    init(file: String) {
        self.file = file
        self.directory = URL(fileURLWithPath: file).deletingLastPathComponent()
    }

    func warn(_ node: Node?, _ message: String) {
        let mark = node?.mark
        self.warnings.append(ConfigProblem(file: self.file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    func report(_ node: Node?, _ message: String) {
        let mark = node?.mark
        self.problems.append(ConfigProblem(file: self.file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
    }

    /// A mapping's entries by key, reporting keys outside `allowed` and non-string keys.
    func mapping(_ node: Node?, at path: String, allowed: Set<String>) -> Fields? {
        guard let node else { return nil }
        guard case .mapping(let mapping) = node else {
            self.report(node, "\(path) must be a mapping")
            return nil
        }
        var fields = Fields(path: path, node: node)
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                self.report(key, "\(path): keys must be strings")
                continue
            }
            guard allowed.contains(name) else {
                let expected = allowed.sorted().joined(separator: ", ")
                self.report(key, "unknown key '\(name)' in \(path) (expected one of: \(expected))")
                continue
            }
            fields.values[name] = value
        }
        return fields
    }

    func sequence(_ node: Node?, at path: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            self.report(node, "\(path) must be a list")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node?, at path: String) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar, !scalar.string.isEmpty else {
            self.report(node, "\(path) must be a non-empty string")
            return nil
        }
        return scalar.string
    }

    func bool(_ node: Node?, at path: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            self.report(node, "\(path) must be true or false")
            return nil
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, at path: String, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let text = self.string(node, at: path) else { return nil }
        guard let value = T(rawValue: text) else {
            let expected = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            self.report(node, "\(path) must be one of \(expected), not \"\(text)\"")
            return nil
        }
        return value
    }

    /// A duration such as `500ms`, `30s`, `5m`, `1h` or `14d`.
    func duration(_ node: Node?, at path: String) -> Duration? {
        guard let text = self.string(node, at: path) else { return nil }
        guard let duration = Self.parseDuration(text) else {
            self.report(node, "\(path) must be a duration like 500ms, 30s, 5m, 1h or 14d, not \"\(text)\"")
            return nil
        }
        return duration
    }

    /// A size such as `512B`, `32KiB`, `10MiB`, `1GiB` (or decimal KB, MB, GB).
    func size(_ node: Node?, at path: String) -> Int? {
        guard let text = self.string(node, at: path) else { return nil }
        guard let size = Self.parseSize(text), size > 0 else {
            self.report(node, "\(path) must be a size like 32KiB or 10MiB, not \"\(text)\"")
            return nil
        }
        return size
    }

    func integer(_ node: Node?, at path: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let value = node.int, range.contains(value) else {
            self.report(node, "\(path) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A `host:port` or `[ipv6]:port` address.
    func address(_ node: Node?, at path: String) -> (host: String, port: Int)? {
        guard let text = self.string(node, at: path) else { return nil }
        guard let address = Self.parseAddress(text) else {
            self.report(node, "\(path) must be host:port or [ipv6]:port, not \"\(text)\"")
            return nil
        }
        return address
    }

    /// A file path, resolved against the config file's directory; it must exist.
    func existingFile(_ node: Node?, at path: String) -> String? {
        guard let text = self.string(node, at: path) else { return nil }
        let resolved = self.resolve(text)
        guard FileManager.default.isReadableFile(atPath: resolved) else {
            self.report(node, "\(path): cannot read file \(resolved)")
            return nil
        }
        return resolved
    }

    /// A path resolved against the config file's directory.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : self.directory.appendingPathComponent(path).standardizedFileURL.path
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Duration)] = [
            ("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600)),
            ("d", .seconds(86400)),
        ]
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = Int(number), value >= 0, !number.hasPrefix("+") { return unit * value }
        }
        return nil
    }

    static func parseSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000), ("B", 1),
        ]
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            if let value = Int(number), value >= 0, !number.hasPrefix("+") {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                return overflow ? nil : product
            }
        }
        return Int(text).flatMap { $0 >= 0 && !text.hasPrefix("+") ? $0 : nil }
    }

    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") { return nil }
        }
        guard !host.isEmpty, let number = Int(port), (0...65535).contains(number), !port.hasPrefix("+") else { return nil }
        return (String(host), number)
    }
}

/// The entries of one YAML mapping, with the path used in messages.
struct Fields {
    let path: String
    let node: Node
    var values: [String: Node] = [:]

    subscript(_ key: String) -> Node? { self.values[key] }

    /// The path of a key, for messages: `listen.tls.certificate`.
    func path(_ key: String) -> String { "\(self.path).\(key)" }
}
