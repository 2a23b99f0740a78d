/// A request target normalized per RFC 3986 §6.2.2: unreserved characters percent-decoded,
/// other escapes upper-cased, `//` merged and dot segments removed. The query is kept as sent.
///
/// Targets that could mean different things to sealgate and the backend are refused: `%2F`,
/// `%5C`, `%00`, a raw `\`, a fragment, a path climbing above `/`, or anything but origin form.
struct RequestTarget: Hashable {
    /// The normalized path, starting with `/`.
    let path: Substring
    /// The query without its `?`, if any.
    let query: Substring?
    /// The target as forwarded upstream.
    let uri: String

    /// Why a target was refused.
    enum Rejection: Error, Hashable {
        case notOriginForm
        case forbiddenEscape
        case malformedEscape
        case climbsAboveRoot
    }

    init(_ target: String) throws(Rejection) {
        guard target.utf8.first == UInt8(ascii: "/") else { throw .notOriginForm }
        if target.utf8.contains(UInt8(ascii: "#")) { throw .notOriginForm }
        let question = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let path = target[..<(question ?? target.endIndex)]
        self.query = question.map { target[target.utf8.index(after: $0)...] }
        if Self.isNormal(path.utf8) {
            // The usual case: nothing to decode, merge or remove, so the target goes upstream as it came.
            self.path = path
            self.uri = target
        } else {
            let normalized = try Self.normalize(path: Array(path.utf8)[...])
            self.path = normalized[...]
            self.uri = self.query.map { "\(normalized)?\($0)" } ?? normalized
        }
    }

    /// Whether normalizing would leave the path as it is: no escape, backslash, empty segment (but a final one),
    /// `.` or `..` segment.
    private static func isNormal(_ path: Substring.UTF8View) -> Bool {
        var segmentBytes = 0
        var segmentDots = 0
        for byte in path.dropFirst() {
            switch byte {
            case UInt8(ascii: "/"):
                guard segmentBytes > 0, !Self.isDotSegment(bytes: segmentBytes, dots: segmentDots) else { return false }
                segmentBytes = 0
                segmentDots = 0
            case UInt8(ascii: "%"), UInt8(ascii: "\\"):
                return false
            default:
                segmentBytes += 1
                if byte == UInt8(ascii: ".") { segmentDots += 1 }
            }
        }
        return !Self.isDotSegment(bytes: segmentBytes, dots: segmentDots)
    }

    private static func isDotSegment(bytes: Int, dots: Int) -> Bool {
        bytes > 0 && bytes <= 2 && dots == bytes
    }

    /// The full normalization (internal for tests, which check the shortcut in `init` against it).
    static func normalize(path: ArraySlice<UInt8>) throws(Rejection) -> String {
        var segments: [[UInt8]] = []
        var current: [UInt8] = []
        var index = path.startIndex

        func endSegment() throws(Rejection) {
            switch current {
            case [UInt8(ascii: ".")]:
                break
            case [UInt8(ascii: "."), UInt8(ascii: ".")]:
                guard segments.popLast() != nil else { throw .climbsAboveRoot }
            default:
                if !current.isEmpty { segments.append(current) }
            }
            current.removeAll(keepingCapacity: true)
        }

        while index < path.endIndex {
            let byte = path[index]
            switch byte {
            case UInt8(ascii: "/"):
                try endSegment()
                index += 1
            case UInt8(ascii: "\\"):
                throw .forbiddenEscape
            case UInt8(ascii: "%"):
                guard index + 2 < path.endIndex, let high = hexValue(path[index + 1]), let low = hexValue(path[index + 2])
                else { throw .malformedEscape }
                let decoded = high << 4 | low
                if decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "\\") || decoded == 0 { throw .forbiddenEscape }
                if isUnreserved(decoded) {
                    current.append(decoded)
                } else {
                    current.append(UInt8(ascii: "%"))
                    current.append(hexDigit(high))
                    current.append(hexDigit(low))
                }
                index += 3
            default:
                current.append(byte)
                index += 1
            }
        }
        let trailingSlash = path.last == UInt8(ascii: "/") || current == [UInt8(ascii: ".")] || current == [UInt8(ascii: "."), UInt8(ascii: ".")]
        try endSegment()
        var result: [UInt8] = []
        for segment in segments {
            result.append(UInt8(ascii: "/"))
            result += segment
        }
        if result.isEmpty || (trailingSlash && !segments.isEmpty) { result.append(UInt8(ascii: "/")) }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
