extension JSONPath {
    /// A recursive-descent parser over the UTF-8 bytes of a path expression.
    struct Parser {
        private let text: String
        private let bytes: [UInt8]
        private var index = 0

        init(_ text: String) {
            self.text = text
            self.bytes = Array(text.utf8)
        }

        mutating func parse() throws(SealgateJSONError) -> [Segment] {
            try self.expect(UInt8(ascii: "$"))
            var segments: [Segment] = []
            while let byte = self.peek() {
                if byte == UInt8(ascii: "[") {
                    segments.append(Segment(selector: try self.bracket(), isRecursive: false))
                    continue
                }
                try self.expect(UInt8(ascii: "."), or: "'.' or '['")
                let isRecursive = self.skip(UInt8(ascii: "."))
                let selector: Segment.Selector
                if isRecursive, self.peek() == UInt8(ascii: "[") {
                    selector = try self.bracket()
                } else if self.skip(UInt8(ascii: "*")) {
                    selector = .wildcard
                } else {
                    selector = .name(try self.unquotedName())
                }
                segments.append(Segment(selector: selector, isRecursive: isRecursive))
            }
            return segments
        }

        private mutating func bracket() throws(SealgateJSONError) -> Segment.Selector {
            try self.expect(UInt8(ascii: "["))
            let selector: Segment.Selector
            switch self.peek() ?? 0 {
            case UInt8(ascii: "*"):
                self.index += 1
                selector = .wildcard
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                selector = .name(try self.quotedName())
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                selector = .index(try self.arrayIndex())
            case UInt8(ascii: "-"):
                throw self.error("negative array indices are not supported")
            default:
                throw self.error("expected a quoted name, an index or '*'")
            }
            try self.expect(UInt8(ascii: "]"))
            return selector
        }

        private mutating func unquotedName() throws(SealgateJSONError) -> [UInt8] {
            let start = self.index
            while let byte = self.peek(), Self.isNameByte(byte) {
                self.index += 1
            }
            guard self.index > start else {
                throw self.error("expected a member name (use ['…'] for names with other characters)")
            }
            return Array(self.bytes[start..<self.index])
        }

        private mutating func quotedName() throws(SealgateJSONError) -> [UInt8] {
            let quote = self.bytes[self.index]
            self.index += 1
            var name: [UInt8] = []
            while let byte = self.peek() {
                switch byte {
                case quote:
                    self.index += 1
                    return name
                case UInt8(ascii: "\\"):
                    self.index += 1
                    guard let escaped = self.peek(), escaped == quote || escaped == UInt8(ascii: "\\") else {
                        throw self.error("expected \\\(Character(Unicode.Scalar(quote))) or \\\\ after a backslash")
                    }
                    name.append(escaped)
                case 0..<0x20:
                    throw self.error("control characters are not allowed in a quoted name")
                default:
                    name.append(byte)
                }
                self.index += 1
            }
            throw self.error("expected a closing \(Character(Unicode.Scalar(quote)))")
        }

        private mutating func arrayIndex() throws(SealgateJSONError) -> Int {
            if self.skip(UInt8(ascii: "0")) {
                return 0
            }
            var value = 0
            while let byte = self.peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                guard value < Int(Int32.max) / 10 else {
                    throw self.error("array index too large")
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                self.index += 1
            }
            return value
        }

        private func peek() -> UInt8? {
            self.index < self.bytes.count ? self.bytes[self.index] : nil
        }

        private mutating func skip(_ byte: UInt8) -> Bool {
            guard self.peek() == byte else {
                return false
            }
            self.index += 1
            return true
        }

        private mutating func expect(_ byte: UInt8, or expectation: String? = nil) throws(SealgateJSONError) {
            guard self.skip(byte) else {
                throw self.error("expected \(expectation ?? "'\(Character(Unicode.Scalar(byte)))'")")
            }
        }

        private func error(_ problem: String) -> SealgateJSONError {
            let column = String(decoding: self.bytes[..<self.index], as: UTF8.self).unicodeScalars.count + 1
            return SealgateJSONError(.invalidPath, at: self.index, "\(problem) at column \(column) in \(self.text)")
        }

        private static func isNameByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), 0x80...:
                return true
            default:
                return false
            }
        }
    }
}
