/// Generates random valid JSON documents, and random mutations of them, reproducibly.
///
/// Numbers have few digits, so that every number is exact as a double; member names within an
/// object are distinct after decoding, so that every object has a canonical form.
struct DocumentGenerator {
    /// Rules that the generated member names meet at various depths.
    static let rules = ["$.ssn", "$..ssn", "$.items[*].phone", "$.a[0]", "$['odd key']", "$.contacts[*]", "$..b.a"]

    /// Member names as written, with their decoded value.
    private static let names: [(raw: String, decoded: String)] = [
        ("ssn", "ssn"), (#"\u0073sn"#, "ssn"), ("phone", "phone"), ("items", "items"), ("a", "a"), ("b", "b"),
        ("odd key", "odd key"), ("contacts", "contacts"), (#"x\ny"#, "x\ny"), ("é", "é"), (#"\ud83d\ude00"#, "😀"),
        ("", ""),
    ]
    private static let stringPieces = [
        "abc", " ", "SECRET", #"\n"#, #"\""#, #"\\"#, #"\/"#, #"\u00e9"#, #"\ud83d\ude00"#, #"\u0000"#, "é", "中",
        "😀", "sg1:", "\u{7F}",
    ]
    private static let numbers = [
        "0", "-0", "7", "-12", "1000", "3.5", "-0.25", "1e3", "2.5E-2", "1E+2", "0.1", "123456789", "-9.75e-7",
    ]
    private static let whitespace = ["", "", "", " ", "\n", "\t ", "\r\n  "]
    /// Bytes that mutations insert: structure, number and literal parts, and bad bytes.
    private static let mutationBytes: [UInt8] =
        Array(#"{}[],:"\ 0159.eE+-tfnulx/"#.utf8) + [0x00, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xFF]

    var random: SeededGenerator

    init(seed: UInt64) {
        self.random = SeededGenerator(seed: seed)
    }

    mutating func document() -> [UInt8] {
        let root = Int.random(in: 0..<10, using: &self.random) == 0 ? self.value(depth: 3) : self.object(depth: 0)
        return Array((self.space() + root + self.space()).utf8)
    }

    /// Applies one to three random edits: replace, insert or delete a byte, truncate, or repeat a slice.
    mutating func mutate(_ document: [UInt8]) -> [UInt8] {
        var bytes = document
        for _ in 0...Int.random(in: 0..<3, using: &self.random) {
            let position = Int.random(in: 0...bytes.count, using: &self.random)
            let byte = Self.mutationBytes.randomElement(using: &self.random)!
            switch Int.random(in: 0..<5, using: &self.random) {
            case 0 where position < bytes.count: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2 where position < bytes.count: bytes.remove(at: position)
            case 3: bytes.removeLast(bytes.count - position)
            default:
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &self.random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }

    private mutating func value(depth: Int) -> String {
        switch Int.random(in: 0..<(depth < 4 ? 8 : 5), using: &self.random) {
        case 0, 1: return self.string()
        case 2: return Self.numbers.randomElement(using: &self.random)!
        case 3: return ["true", "false", "null"].randomElement(using: &self.random)!
        case 4: return self.string()
        case 5: return self.array(depth: depth + 1)
        default: return self.object(depth: depth + 1)
        }
    }

    private mutating func object(depth: Int) -> String {
        var used: Set<String> = []
        var members: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &self.random) {
            let name = Self.names.randomElement(using: &self.random)!
            guard used.insert(name.decoded).inserted else { continue }
            members.append(self.space() + "\"\(name.raw)\"" + self.space() + ":" + self.space() + self.value(depth: depth) + self.space())
        }
        return "{" + (members.isEmpty ? self.space() : members.joined(separator: ",")) + "}"
    }

    private mutating func array(depth: Int) -> String {
        let elements = (0..<Int.random(in: 0...4, using: &self.random)).map { _ in
            self.space() + self.value(depth: depth) + self.space()
        }
        return "[" + (elements.isEmpty ? self.space() : elements.joined(separator: ",")) + "]"
    }

    private mutating func string() -> String {
        let pieces = (0..<Int.random(in: 0...4, using: &self.random)).map { _ in
            Self.stringPieces.randomElement(using: &self.random)!
        }
        return "\"" + pieces.joined() + "\""
    }

    private mutating func space() -> String {
        Self.whitespace.randomElement(using: &self.random)!
    }
}
