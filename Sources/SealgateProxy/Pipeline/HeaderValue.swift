import NIOHTTP1

extension StringProtocol where SubSequence == Substring {
    /// The value without leading and trailing optional white space (RFC 9110 OWS: space and tab).
    var trimmedOWS: Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isOWS($0) }), let last = self.lastIndex(where: { !isOWS($0) }) else {
            return self[self.endIndex...]
        }
        return self[first...last]
    }

    /// Calls `body` with each element of a comma-separated header list (RFC 9110 §5.6.1), trimmed of OWS; empty
    /// elements included, so `""` has one element and `"5,"` two. Nothing is copied.
    func forEachListElement<Failure: Error>(_ body: (Substring) throws(Failure) -> Void) throws(Failure) {
        var start = self.startIndex
        while true {
            let end = self[start...].utf8.firstIndex(of: UInt8(ascii: ",")) ?? self.endIndex
            try body(self[start..<end].trimmedOWS)
            guard end < self.endIndex else { return }
            start = self.utf8.index(after: end)
        }
    }

    /// Whether the text equals `lowercase`, an ASCII lower-case name, ignoring ASCII case, without a lowered copy.
    func equalsIgnoringASCIICase(_ lowercase: String) -> Bool {
        self.utf8.elementsEqual(lowercase.utf8) { byte, lower in
            byte == lower || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") && byte | 0x20 == lower)
        }
    }
}

extension HTTPHeaders {
    /// Calls `body` with each option of the `Connection` header fields (RFC 9110 §7.6.1), as sent; nothing is copied.
    func forEachConnectionOption(_ body: (Substring) -> Void) {
        for (name, value) in self where name.equalsIgnoringASCIICase("connection") {
            value.forEachListElement(body)
        }
    }
}
