/// A resumable, strictly validating JSON scanner (RFC 8259, UTF-8 without a byte order mark),
/// fed chunks of any size.
///
/// It reports only the events its user asks for: the start of every value and the name of every
/// member, except inside a value skipped with ``skipValue(reportingEnd:)``, which it validates
/// without reporting anything but, if asked, its end. Member names are reported interned: as
/// their position in a table of names (the ones the rules select), compared after decoding
/// their escapes. A name is copied only when it has escapes or spans chunks, and then at most
/// one byte longer than the longest name in the table.
///
/// Escapes of lone surrogates (`"\ud800"`) are rejected like invalid UTF-8: they denote no
/// Unicode text, cannot be converted to UTF-8, and RFC 8785 (via I-JSON) forbids them.
///
/// One file over 400 lines: the scanner is one resumable state machine whose states and hot loops share private
/// state; byte classes are in `JSONTokenizer+Bytes.swift`.
struct JSONTokenizer: Sendable {
    enum Event: Equatable {
        /// A value starts at the current index, with this byte; nothing of it is consumed yet.
        case valueStart(UInt8)
        /// A member name ended just before the current index: its position in the name table,
        /// or -1 if it is not there.
        case memberName(Int)
        /// A value ended just before the current index: a container that was not skipped, or a
        /// skipped value whose end was asked for.
        case valueEnd
    }

    /// What becomes of the children of a container that no rule selects by key: in an object,
    /// the members whose names are not in the name table; in an array, all elements.
    enum UnselectedChildren {
        /// They are reported like the others (a name not in the table as -1).
        case report
        /// They are skipped.
        case skip
        /// Nothing is reported of them but the start of those that are objects or arrays.
        case reportContainers
    }

    /// The number states come last, in grammar order (see `continueScalar`).
    private enum State: UInt8 {
        case value, valueOrClose, valueFirstByte, name, nameOrClose, colon, afterValue
        case string, escape, hex, lowSurrogateBackslash, lowSurrogateU, utf8, literal
        case minus, zero, integer, point, fraction, exponentMark, exponentSign, exponent
    }

    /// The member names a tokenizer reports, laid out for lookup. Built once per set of rules and
    /// shared by the tokenizers of every document.
    struct NameTable: Sendable {
        /// The names, concatenated: name `k` ends at `ends[k]`.
        fileprivate let bytes: [UInt8]
        fileprivate let ends: [Int]
        /// The longest name's length.
        fileprivate let limit: Int
        /// Bit `n` is set if the table has a name of `n` bytes (below 64), so most other names are
        /// ruled out without comparing bytes.
        fileprivate let lengths: UInt64
        /// Whether a name equal to a table name ignoring ASCII case, but not byte-equal, is reported as a near miss
        /// (``nearMiss(of:)``) instead of as absent.
        fileprivate let reportsNearMisses: Bool

        /// - Parameters:
        ///   - names: The names, as UTF-8; a name's position here is the one reported.
        ///   - reportsNearMisses: Report names that differ from a table name in ASCII case only.
        init(_ names: [[UInt8]], reportsNearMisses: Bool = false) {
            self.reportsNearMisses = reportsNearMisses
            self.bytes = Array(names.joined())
            self.ends = names.reduce(into: []) { $0.append(($0.last ?? 0) + $1.count) }
            self.limit = names.map(\.count).max() ?? 0
            self.lengths = names.reduce(0) { $1.count < 64 ? $0 | 1 << $1.count : $0 }
        }

        /// The reported name of a near miss of table name `position`; ``nearMissPosition(_:)`` reads it back.
        static func nearMiss(of position: Int) -> Int { -2 - position }

        /// The table name a reported name nearly matches, if it is a near miss.
        static func nearMissPosition(_ reported: Int) -> Int? { reported <= -2 ? -2 - reported : nil }
    }

    private let maxDepth: Int
    private let names: NameTable
    /// The absolute offset of the current chunk's first byte.
    private(set) var chunkOffset = 0
    private var state = State.value
    /// For each open container, whether it is an array.
    private var containers: [Bool] = []
    private var inName = false
    /// Whether the current member name is to be reported.
    private var decodingName = false
    /// Where the current name's bytes start in the current chunk, while they are all there
    /// unescaped.
    private var nameStart = 0
    /// Whether the current name is being copied into `name`, having escapes or spanning chunks.
    private var copyingName = false
    /// The decoded bytes of the current name, when it is copied.
    private var name: [UInt8] = []
    /// While at least 0: the depth of the value being skipped.
    private var skipDepth = -1
    private var skipNext = false
    /// What becomes of unselected children in the current container.
    var unselectedChildren = UnselectedChildren.report
    /// Whether the current member's name is not in the name table (and was not reported).
    private var memberUnselected = false
    private var reportSkippedEnd = false
    private var hexValue: UInt32 = 0
    private var hexCount = 0
    private var highSurrogate: UInt32 = 0
    private var continuationBytes = 0
    private var continuationRange: ClosedRange<UInt8> = 0x80...0xBF
    /// The bytes still expected of `true`, `false` or `null`, first byte lowest.
    private var literalRest: UInt32 = 0

    /// Creates a tokenizer.
    /// - Parameters:
    ///   - maxDepth: The deepest nesting allowed.
    ///   - names: The member names to intern.
    init(maxDepth: Int, names: NameTable) {
        self.maxDepth = maxDepth
        self.names = names
        self.containers.reserveCapacity(min(maxDepth, 64))
    }

    /// Skips the value just reported by ``Event/valueStart(_:)``, or the value of the member
    /// just reported by ``Event/memberName(_:)``.
    mutating func skipValue(reportingEnd: Bool) {
        self.skipNext = true
        self.reportSkippedEnd = reportingEnd
    }

    /// Scans `bytes` from `index` up to the next event.
    /// - Returns: The event, with `index` just after what it concerns, or `nil` once the chunk
    ///   is used up (the next call continues with the next chunk).
    mutating func next(in bytes: UnsafeRawBufferPointer, at index: inout Int) throws(SealgateJSONError) -> Event? {
        var i = index
        var state = self.state
        defer {
            index = i
            self.state = state
        }
        let count = bytes.count
        while i < count {
            switch state {
            case .valueFirstByte:
                state = try self.startValue(bytes[i], at: i)
                i += 1
            case .colon:
                i = Self.skipWhitespace(bytes, from: i)
                guard i < count else { break }
                guard bytes[i] == UInt8(ascii: ":") else {
                    throw self.error(.invalidJSON, at: i, "expected ':'")
                }
                i += 1
                state = .value
            case .afterValue:
                i = Self.skipWhitespace(bytes, from: i)
                guard i < count else { break }
                let byte = bytes[i]
                guard let inArray = self.containers.last else {
                    throw self.error(.invalidJSON, at: i, "unexpected data after the JSON text")
                }
                i += 1
                switch byte {
                case UInt8(ascii: ","):
                    state = inArray ? .value : .name
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    try self.close(byte, at: i - 1)
                    if let event = self.endValue(bytes, &i, &state) { return event }
                default:
                    throw self.error(.invalidJSON, at: i - 1, inArray ? "expected ',' or ']'" : "expected ',' or '}'")
                }
            case .value, .valueOrClose, .name, .nameOrClose:
                i = Self.skipWhitespace(bytes, from: i)
                guard i < count else { break }
                let byte = bytes[i]
                if state == .name || state == .nameOrClose {
                    i += 1
                    if byte == UInt8(ascii: "\"") {
                        self.inName = true
                        self.decodingName = self.skipDepth < 0
                        self.copyingName = false
                        self.nameStart = i
                        state = .string
                    } else if byte == UInt8(ascii: "}"), state == .nameOrClose {
                        try self.close(byte, at: i - 1)
                        if let event = self.endValue(bytes, &i, &state) { return event }
                        continue
                    } else {
                        throw self.error(.invalidJSON, at: i - 1, "expected a member name")
                    }
                } else if byte == UInt8(ascii: "]"), state == .valueOrClose {
                    i += 1
                    try self.close(byte, at: i - 1)
                    if let event = self.endValue(bytes, &i, &state) { return event }
                    continue
                } else {
                    if self.skipDepth < 0, self.unselectedChildren != .report,
                        self.memberUnselected || self.containers.last == true
                    {
                        self.memberUnselected = false
                        let isContainer = byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
                        if self.unselectedChildren == .skip || !isContainer {
                            self.skipValue(reportingEnd: false)
                        }
                    }
                    if self.skipDepth < 0, !self.skipNext {
                        state = .valueFirstByte
                        return .valueStart(byte)
                    }
                    state = try self.startValue(byte, at: i)
                    i += 1
                    guard state == .string else {
                        if let event = try self.continueScalar(bytes, &i, &state) { return event }
                        continue
                    }
                }
                // A string starts: go on with it at once (saves a dispatch per string).
                fallthrough
            case .string:
                let start = i
                i = Self.skipPlainStringBytes(bytes, from: i)
                if self.copyingName {
                    self.appendName(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                }
                guard i < count else { break }
                let byte = bytes[i]
                i += 1
                switch byte {
                case UInt8(ascii: "\""):
                    if self.inName {
                        self.inName = false
                        let name = self.decodingName ? self.nameToReport(bytes, end: i - 1) : nil
                        if i < count, bytes[i] == UInt8(ascii: ":") {
                            i += 1
                            state = .value
                        } else {
                            state = .colon
                        }
                        if let name { return .memberName(name) }
                    } else {
                        if let event = self.endValue(bytes, &i, &state) { return event }
                    }
                case UInt8(ascii: "\\"):
                    self.copyName(bytes, end: i - 1)
                    state = .escape
                case 0..<0x20:
                    throw self.error(.invalidJSON, at: i - 1, "unescaped control character in a string")
                default:
                    try self.startUTF8Sequence(byte, at: i - 1)
                    state = .utf8
                }
            case .utf8:
                let byte = bytes[i]
                guard self.continuationRange.contains(byte) else {
                    throw self.error(.invalidUTF8, at: i, "invalid UTF-8 sequence")
                }
                i += 1
                self.appendName(byte)
                self.continuationRange = 0x80...0xBF
                self.continuationBytes -= 1
                if self.continuationBytes == 0 {
                    state = .string
                }
            case .escape:
                let byte = bytes[i]
                if let decoded = Self.unescape(byte) {
                    self.appendName(decoded)
                    state = .string
                } else if byte == UInt8(ascii: "u") {
                    self.hexValue = 0
                    self.hexCount = 0
                    state = .hex
                } else {
                    throw self.error(.invalidJSON, at: i, "invalid escape sequence")
                }
                i += 1
            case .hex:
                guard let digit = Self.hexDigit(bytes[i]) else {
                    throw self.error(.invalidJSON, at: i, "expected four hexadecimal digits after \\u")
                }
                i += 1
                self.hexValue = self.hexValue << 4 | digit
                self.hexCount += 1
                if self.hexCount == 4 {
                    state = try self.endUnicodeEscape(at: i - 1)
                }
            case .lowSurrogateBackslash, .lowSurrogateU:
                let expected = state == .lowSurrogateBackslash ? UInt8(ascii: "\\") : UInt8(ascii: "u")
                guard bytes[i] == expected else {
                    throw self.error(.invalidJSON, at: i, "lone surrogate in a \\u escape")
                }
                i += 1
                state = state == .lowSurrogateBackslash ? .lowSurrogateU : .hex
                self.hexValue = 0
                self.hexCount = 0
            case .minus, .zero, .integer, .point, .fraction, .exponentMark, .exponentSign, .exponent, .literal:
                if let event = try self.continueScalar(bytes, &i, &state) { return event }
            }
        }
        self.copyName(bytes, end: count)
        self.chunkOffset += count
        return nil
    }

    /// Ends the document.
    /// - Returns: The end of a number at the top level, if it is reported.
    /// - Throws: ``SealgateJSONError/Code/truncated`` if the JSON text is not complete.
    mutating func finish() throws(SealgateJSONError) -> Event? {
        guard self.containers.isEmpty else {
            throw self.error(.truncated, at: 0, "the document ends inside an object or array")
        }
        switch self.state {
        case .zero, .integer, .fraction, .exponent:
            self.state = .afterValue
            return self.valueEndEvent()
        case .afterValue:
            return nil
        default:
            throw self.error(.truncated, at: 0, "the document ends before its JSON text is complete")
        }
    }

    @inline(__always)
    private mutating func startValue(_ byte: UInt8, at index: Int) throws(SealgateJSONError) -> State {
        if self.skipNext {
            self.skipNext = false
            self.skipDepth = self.containers.count
        }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard self.containers.count < self.maxDepth else {
                throw self.error(.nestingTooDeep, at: index, "nesting deeper than \(self.maxDepth) levels")
            }
            self.containers.append(byte == UInt8(ascii: "["))
            return byte == UInt8(ascii: "[") ? .valueOrClose : .nameOrClose
        case UInt8(ascii: "\""):
            self.copyingName = false
            return .string
        case UInt8(ascii: "-"):
            return .minus
        case UInt8(ascii: "0"):
            return .zero
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            return .integer
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            // "rue", "alse" or "ull", first byte lowest.
            self.literalRest = byte == UInt8(ascii: "t") ? 0x65_7572 : byte == UInt8(ascii: "f") ? 0x6573_6C61 : 0x6C_6C75
            return .literal
        default:
            let isBOM = byte == 0xEF && self.chunkOffset + index == 0
            throw self.error(.invalidJSON, at: index, isBOM ? "a byte order mark is not allowed" : "expected a JSON value")
        }
    }

    private mutating func close(_ byte: UInt8, at index: Int) throws(SealgateJSONError) {
        let isArray = byte == UInt8(ascii: "]")
        guard self.containers.last == isArray else {
            throw self.error(.invalidJSON, at: index, isArray ? "unexpected ']'" : "unexpected '}'")
        }
        self.containers.removeLast()
    }

    /// Goes on with a number or a literal (other states are left alone) until it ends or the
    /// chunk does. Numbers go through their states in grammar order, so one pass over the
    /// checks below reads a whole number.
    @inline(__always)
    private mutating func continueScalar(
        _ bytes: UnsafeRawBufferPointer,
        _ i: inout Int,
        _ state: inout State
    ) throws(SealgateJSONError) -> Event? {
        let count = bytes.count
        if state == .literal {
            while self.literalRest != 0, i < count {
                guard bytes[i] == UInt8(truncatingIfNeeded: self.literalRest) else {
                    throw self.error(.invalidJSON, at: i, "invalid literal")
                }
                i += 1
                self.literalRest >>= 8
            }
            return self.literalRest == 0 ? self.endValue(bytes, &i, &state) : nil
        }
        guard state.rawValue >= State.minus.rawValue else {
            return nil
        }
        if state == .minus {
            guard i < count else { return nil }
            switch bytes[i] {
            case UInt8(ascii: "0"): state = .zero
            case UInt8(ascii: "1")...UInt8(ascii: "9"): state = .integer
            default: throw self.error(.invalidJSON, at: i, "expected a digit after '-'")
            }
            i += 1
        }
        if state == .integer {
            i = Self.skipDigits(bytes, from: i)
        }
        if state == .zero || state == .integer {
            guard i < count else { return nil }
            if bytes[i] == UInt8(ascii: ".") {
                state = .point
                i += 1
            } else if bytes[i] | 0x20 == UInt8(ascii: "e") {
                state = .exponentMark
                i += 1
            } else if Self.isDigit(bytes[i]) {
                throw self.error(.invalidJSON, at: i, "leading zeros are not allowed")
            } else {
                return self.endValue(bytes, &i, &state)
            }
        }
        if state == .point {
            guard i < count else { return nil }
            guard Self.isDigit(bytes[i]) else {
                throw self.error(.invalidJSON, at: i, "expected a digit after '.'")
            }
            state = .fraction
            i += 1
        }
        if state == .fraction {
            i = Self.skipDigits(bytes, from: i)
            guard i < count else { return nil }
            guard bytes[i] | 0x20 == UInt8(ascii: "e") else {
                return self.endValue(bytes, &i, &state)
            }
            state = .exponentMark
            i += 1
        }
        if state == .exponentMark || state == .exponentSign {
            guard i < count else { return nil }
            if state == .exponentMark, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                state = .exponentSign
                i += 1
                guard i < count else { return nil }
            }
            guard Self.isDigit(bytes[i]) else {
                throw self.error(.invalidJSON, at: i, "expected a digit in the exponent")
            }
            state = .exponent
            i += 1
        }
        i = Self.skipDigits(bytes, from: i)
        return i < count ? self.endValue(bytes, &i, &state) : nil
    }

    /// Ends a value: reports its end if wanted, else goes on after it, taking along a comma
    /// that follows at once.
    @inline(__always)
    private mutating func endValue(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, _ state: inout State) -> Event? {
        state = .afterValue
        if let event = self.valueEndEvent() {
            return event
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ","), let inArray = self.containers.last {
            i += 1
            state = inArray ? .value : .name
        }
        return nil
    }

    /// The event for the end of a value, if it is reported; ends skipping at the skipped value's end.
    @inline(__always)
    private mutating func valueEndEvent() -> Event? {
        guard self.skipDepth >= 0 else {
            return .valueEnd
        }
        guard self.containers.count == self.skipDepth else {
            return nil
        }
        self.skipDepth = -1
        return self.reportSkippedEnd ? .valueEnd : nil
    }

    /// Checks a UTF-8 lead byte (Unicode table 3-7) and sets the range of the next byte.
    private mutating func startUTF8Sequence(_ byte: UInt8, at index: Int) throws(SealgateJSONError) {
        switch byte {
        case 0xC2...0xDF: (self.continuationBytes, self.continuationRange) = (1, 0x80...0xBF)
        case 0xE0: (self.continuationBytes, self.continuationRange) = (2, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (self.continuationBytes, self.continuationRange) = (2, 0x80...0xBF)
        case 0xED: (self.continuationBytes, self.continuationRange) = (2, 0x80...0x9F)
        case 0xF0: (self.continuationBytes, self.continuationRange) = (3, 0x90...0xBF)
        case 0xF1...0xF3: (self.continuationBytes, self.continuationRange) = (3, 0x80...0xBF)
        case 0xF4: (self.continuationBytes, self.continuationRange) = (3, 0x80...0x8F)
        default: throw self.error(.invalidUTF8, at: index, "invalid UTF-8 sequence")
        }
        self.appendName(byte)
    }

    private mutating func endUnicodeEscape(at index: Int) throws(SealgateJSONError) -> State {
        var scalar = self.hexValue
        switch (self.highSurrogate, scalar) {
        case (0, 0xD800...0xDBFF):
            self.highSurrogate = scalar
            return .lowSurrogateBackslash
        case (0, 0xDC00...0xDFFF), (1..., ..<0xDC00), (1..., 0xE000...):
            throw self.error(.invalidJSON, at: index, "lone surrogate in a \\u escape")
        case (1..., _):
            scalar = Self.combineSurrogates(self.highSurrogate, scalar)
            self.highSurrogate = 0
        default:
            break
        }
        if self.copyingName {
            UTF8.encode(Unicode.Scalar(scalar)!) { self.appendName($0) }
        }
        return .string
    }

    /// Starts copying the current name, if it is still in the chunk, up to `end` (an escape
    /// or the chunk's end).
    private mutating func copyName(_ bytes: UnsafeRawBufferPointer, end: Int) {
        guard self.inName, self.decodingName, !self.copyingName else {
            return
        }
        self.name.removeAll(keepingCapacity: true)
        self.copyingName = true
        self.appendName(UnsafeRawBufferPointer(rebasing: bytes[self.nameStart..<end]))
    }

    /// The position in the name table of the name that ends at `end` (-1 if absent), or `nil`
    /// if that name is not to be reported, and then its value is skipped.
    @inline(__always)
    private mutating func nameToReport(_ bytes: UnsafeRawBufferPointer, end: Int) -> Int? {
        let length = self.copyingName ? self.name.count : end - self.nameStart
        var name = -1
        if length >= 64 || self.names.lengths & (1 << length) != 0 {
            let table = self.names
            name =
                self.copyingName
                ? self.name.withUnsafeBytes { Self.position(of: $0, in: table) }
                : Self.position(of: UnsafeRawBufferPointer(rebasing: bytes[self.nameStart..<end]), in: table)
        }
        guard name == -1 else {
            return name
        }
        guard self.unselectedChildren == .report else {
            self.memberUnselected = true
            return nil
        }
        return name
    }

    private static func position(of name: UnsafeRawBufferPointer, in table: NameTable) -> Int {
        var start = 0
        for (position, end) in table.ends.enumerated() {
            if end - start == name.count {
                var index = 0
                while index < name.count, table.bytes[start + index] == name[index] {
                    index += 1
                }
                if index == name.count {
                    return position
                }
            }
            start = end
        }
        return table.reportsNearMisses ? Self.nearMissPosition(of: name, in: table) : -1
    }

    /// The table name equal to `name` ignoring ASCII case, as a near miss (see ``NameTable/nearMiss(of:)``), or -1.
    private static func nearMissPosition(of name: UnsafeRawBufferPointer, in table: NameTable) -> Int {
        var start = 0
        for (position, end) in table.ends.enumerated() {
            if end - start == name.count {
                var index = 0
                while index < name.count, Self.foldedASCII(table.bytes[start + index]) == Self.foldedASCII(name[index]) {
                    index += 1
                }
                if index == name.count {
                    return NameTable.nearMiss(of: position)
                }
            }
            start = end
        }
        return -1
    }

    @inline(__always)
    private static func foldedASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Appends decoded bytes to a name being copied (bounded: longer names match none).
    private mutating func appendName(_ bytes: UnsafeRawBufferPointer) {
        let room = self.names.limit + 1 - self.name.count
        if room > 0 {
            self.name.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room)))
        }
    }

    private mutating func appendName(_ byte: UInt8) {
        if self.copyingName, self.name.count <= self.names.limit {
            self.name.append(byte)
        }
    }

    private func error(_ code: SealgateJSONError.Code, at index: Int, _ message: String) -> SealgateJSONError {
        SealgateJSONError(code, at: self.chunkOffset + index, message)
    }
}
