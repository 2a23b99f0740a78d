/// Writes the RFC 8785 (JCS) canonical form of a JSON value that ``JSONTokenizer`` has already
/// validated, so that it only has to find its way, not to check.
struct JSONCanonicalizer {
    private let bytes: [UInt8]
    private let byteOffset: Int
    private let rulePath: JSONPath
    private var index = 0

    /// The canonical JSON text of a validated value.
    /// - Parameters:
    ///   - bytes: The value's bytes.
    ///   - byteOffset: The value's offset in its document, for errors.
    ///   - rulePath: The rule that matched the value, for errors.
    static func canonicalize(_ bytes: [UInt8], byteOffset: Int, rulePath: JSONPath) throws(SealgateJSONError) -> [UInt8] {
        var canonicalizer = Self(bytes: bytes, byteOffset: byteOffset, rulePath: rulePath)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        try canonicalizer.value(into: &output)
        return output
    }

    /// Decodes the validated JSON string that starts at `index` into UTF-8, leaving `index`
    /// after its closing quote.
    static func decodeString(_ bytes: [UInt8], at index: inout Int) -> [UInt8] {
        var decoded: [UInt8] = []
        index += 1
        while true {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return decoded
            case UInt8(ascii: "\\"):
                let letter = bytes[index]
                index += 1
                if let byte = JSONTokenizer.unescape(letter) {
                    decoded.append(byte)
                    continue
                }
                var scalar = Self.hexQuad(bytes, at: &index)
                if (0xD800...0xDBFF).contains(scalar) {
                    index += 2
                    scalar = JSONTokenizer.combineSurrogates(scalar, Self.hexQuad(bytes, at: &index))
                }
                UTF8.encode(Unicode.Scalar(scalar)!) { decoded.append($0) }
            default:
                decoded.append(byte)
            }
        }
    }

    private init(bytes: [UInt8], byteOffset: Int, rulePath: JSONPath) {
        self.bytes = bytes
        self.byteOffset = byteOffset
        self.rulePath = rulePath
    }

    private mutating func value(into output: inout [UInt8]) throws(SealgateJSONError) {
        self.skipWhitespace()
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"):
            try self.object(into: &output)
        case UInt8(ascii: "["):
            output.append(UInt8(ascii: "["))
            var first = true
            while self.nextElement(closingWith: UInt8(ascii: "]")) {
                if !first {
                    output.append(UInt8(ascii: ","))
                }
                first = false
                try self.value(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            let start = self.index
            let end = self.bytes[(start + 1)...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }!
            if self.bytes[end] == UInt8(ascii: "\"") {
                // No escape: a validated string without one is already canonical (it has no control characters).
                output.append(contentsOf: self.bytes[start...end])
                self.index = end + 1
            } else {
                Self.writeString(Self.decodeString(self.bytes, at: &self.index), into: &output)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let end = self.bytes[self.index...].firstIndex { !(UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
            output.append(contentsOf: self.bytes[self.index..<(end ?? self.bytes.count)])
            self.index = end ?? self.bytes.count
        default:
            let start = self.index
            let end = self.bytes[start...].firstIndex { !Self.isNumberByte($0) } ?? self.bytes.count
            self.index = end
            if Self.isPlainInteger(self.bytes[start..<end]) {
                output.append(contentsOf: self.bytes[start..<end])
                return
            }
            guard let canonical = DecimalNumber.canonicalText(ofJSONNumber: self.bytes[start..<end]) else {
                throw SealgateJSONError(
                    .numberNotExact,
                    at: self.byteOffset + start,
                    rulePath: self.rulePath.description,
                    "a number cannot be represented exactly as an IEEE double; send it as a string"
                )
            }
            output.append(contentsOf: canonical)
        }
    }

    /// Writes an object with its members sorted by the UTF-16 code units of their names.
    private mutating func object(into output: inout [UInt8]) throws(SealgateJSONError) {
        var members: [(name: [UInt16], offset: Int, text: [UInt8])] = []
        while self.nextElement(closingWith: UInt8(ascii: "}")) {
            let offset = self.index
            let name = Self.decodeString(self.bytes, at: &self.index)
            self.skipWhitespace()
            self.index += 1  // ':'
            var text: [UInt8] = []
            Self.writeString(name, into: &text)
            text.append(UInt8(ascii: ":"))
            try self.value(into: &text)
            members.append((Array(String(decoding: name, as: UTF8.self).utf16), offset, text))
        }
        members.sort { $0.name.lexicographicallyPrecedes($1.name) }
        output.append(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 {
                guard members[position - 1].name != member.name else {
                    throw SealgateJSONError(
                        .invalidJSON,
                        at: self.byteOffset + member.offset,
                        rulePath: self.rulePath.description,
                        "a matched object has a member name twice, which canonical JSON (RFC 8785) forbids"
                    )
                }
                output.append(UInt8(ascii: ","))
            }
            output.append(contentsOf: member.text)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Steps over the opening bracket, a comma or the closing bracket.
    /// - Returns: Whether another element or member follows.
    private mutating func nextElement(closingWith close: UInt8) -> Bool {
        self.skipWhitespace()
        let byte = self.bytes[self.index]
        self.index += 1
        guard byte != close else {
            return false
        }
        self.skipWhitespace()
        guard self.bytes[self.index] != close else {
            self.index += 1
            return false
        }
        return true
    }

    private mutating func skipWhitespace() {
        let index = self.index
        self.index = self.bytes.withUnsafeBytes { JSONTokenizer.skipWhitespace($0, from: index) }
    }

    /// Writes a string with the escapes of RFC 8785 §3.2.2.2 and nothing else escaped.
    private static func writeString(_ decoded: [UInt8], into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in decoded {
            let letter: UInt8? =
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
                case 0x08: UInt8(ascii: "b")
                case 0x09: UInt8(ascii: "t")
                case 0x0A: UInt8(ascii: "n")
                case 0x0C: UInt8(ascii: "f")
                case 0x0D: UInt8(ascii: "r")
                default: nil
                }
            if let letter {
                output.append(contentsOf: [UInt8(ascii: "\\"), letter])
            } else if byte < 0x20 {
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            } else {
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func hexQuad(_ bytes: [UInt8], at index: inout Int) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            value = value << 4 | JSONTokenizer.hexDigit(bytes[index])!
            index += 1
        }
        return value
    }

    /// Whether a validated number is an integer of at most 15 digits other than `-0`: exact as a double, and
    /// printed by ECMAScript exactly as written.
    private static func isPlainInteger(_ number: ArraySlice<UInt8>) -> Bool {
        let digits = number.first == UInt8(ascii: "-") ? number.dropFirst() : number
        return digits.count <= 15 && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && !(digits.first == UInt8(ascii: "0") && digits.count < number.count)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }
}
