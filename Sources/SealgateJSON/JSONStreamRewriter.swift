import NIOCore

/// Rewrites the values selected by an ordered list of path rules in a JSON document that
/// arrives in chunks, passing every other byte through unchanged.
///
/// The rewriter validates the document strictly (RFC 8259: exactly one JSON text, UTF-8 without
/// a byte order mark, no trailing data, nesting at most ``Limits/maxDepth`` deep) and emits each
/// byte that is not part of a matched value as soon as it has been validated. A matched value is
/// held until it is complete (at most ``Limits/maxMatchedValueBytes``) and then handed to the
/// transform, whose ``Replacement`` is emitted in its place. Memory is bounded by the largest
/// matched value, never by the document.
///
/// Matching: member names are compared after decoding their escapes; every occurrence of a
/// duplicate name is matched; when rules overlap, the outermost matched value is handed over
/// whole, attributed to the first rule in configuration order that matches it, and nothing
/// inside it is transformed separately.
///
/// Strings: an escaped lone surrogate (`"\ud800"` without its low half) is rejected as
/// ``SealgateJSONError/Code/invalidJSON`` anywhere in the document, as Foundation and I-JSON
/// (RFC 7493) do: it is no Unicode text, has no UTF-8 form and so no canonical form.
/// Numbers are checked against the RFC 8259 grammar only; whether a matched number is exact as
/// a double is up to ``MatchedValue/canonicalJSON()``.
///
/// Performance: bytes are scanned in place and unmatched runs copied in bulk; containers and
/// members that no rule can reach are validated without being looked at further, so that the
/// cost of the rules grows with what they can reach, not with the document.
///
/// ```swift
/// var rewriter = JSONStreamRewriter(paths: [try JSONPath("$.ssn")])
/// try rewriter.feed(&chunk, into: &output) { value in .bytes(encrypt(try value.canonicalJSON())) }
/// try rewriter.finish(into: &output) { value in .bytes(encrypt(try value.canonicalJSON())) }
/// ```
///
/// After any error, including one thrown by the transform, the rewriter stays failed: further
/// calls throw again. Bytes emitted before an error must then be discarded (or the upstream
/// request aborted): the document was not valid, or not completely rewritten.
public struct JSONStreamRewriter: Sendable {
    /// The bounds a rewriter enforces.
    public struct Limits: Sendable, Hashable {
        /// The deepest nesting of objects and arrays allowed; one more level is an error.
        public var maxDepth: Int
        /// The largest matched value, in bytes as it appears in the document.
        public var maxMatchedValueBytes: Int

        /// Creates limits.
        /// - Parameters:
        ///   - maxDepth: The deepest nesting of objects and arrays allowed (default 128).
        ///   - maxMatchedValueBytes: The largest matched value in bytes (default 1 MiB).
        public init(maxDepth: Int = 128, maxMatchedValueBytes: Int = 1 << 20) {
            self.maxDepth = maxDepth
            self.maxMatchedValueBytes = maxMatchedValueBytes
        }
    }

    /// What to emit in place of a matched value.
    public enum Replacement: Sendable, Hashable {
        /// The value's original bytes, unchanged.
        case keep
        /// These bytes, which must be a JSON value (such as a JSON string token).
        case bytes([UInt8])
    }

    /// An open container that rules may still match inside.
    private struct Frame {
        /// Where its path states are in `states`.
        var states: Range<Int>
        var isArray: Bool
        var unselectedChildren: JSONTokenizer.UnselectedChildren
        /// The number of elements so far, in an array (when its elements are all reported,
        /// which they are when an index can match them).
        var count = 0
    }

    /// Rule paths prepared for matching. Preparing them once and sharing the result saves that work
    /// on every document rewritten with the same rules.
    public struct CompiledPaths: Sendable {
        /// The rules, in configuration order; a rule's index in this list is its ``MatchedValue/ruleIndex``.
        public let paths: [JSONPath]
        fileprivate let matcher: JSONPathMatcher
        fileprivate let names: JSONTokenizer.NameTable

        /// Prepares rules for matching.
        /// - Parameters:
        ///   - paths: The rules, in configuration order.
        ///   - refusesNearMissNames: Refuse a document with a member name that equals one a rule selects at that
        ///     place ignoring ASCII case but is not byte-equal (``SealgateJSONError/Code/ambiguousName``).
        public init(_ paths: [JSONPath], refusesNearMissNames: Bool = false) {
            self.paths = paths
            self.matcher = JSONPathMatcher(paths: paths)
            self.names = JSONTokenizer.NameTable(self.matcher.names, reportsNearMisses: refusesNearMissNames)
        }
    }

    private let compiled: CompiledPaths
    private let limits: Limits
    private var matcher: JSONPathMatcher { self.compiled.matcher }
    private var tokenizer: JSONTokenizer
    private var states: [Int] = []
    private var frames: [Frame] = []
    private var rootMatch: Int?
    private var memberMatch: Int?
    /// Whether the states of the member whose value starts next are computed (else its name
    /// is one no rule names, and was not reported).
    private var memberReported = false
    private var captureRule: Int?
    private var captureOffset = 0
    private var captured: [UInt8] = []
    private var failure: SealgateJSONError?

    /// Creates a rewriter for one document.
    /// - Parameters:
    ///   - paths: The rules, in configuration order; a rule's index in this list is its
    ///     ``MatchedValue/ruleIndex``.
    ///   - limits: The bounds to enforce.
    public init(paths: [JSONPath], limits: Limits = Limits()) {
        self.init(CompiledPaths(paths), limits: limits)
    }

    /// Creates a rewriter for one document from rules prepared before.
    /// - Parameters:
    ///   - compiled: The rules.
    ///   - limits: The bounds to enforce.
    public init(_ compiled: CompiledPaths, limits: Limits = Limits()) {
        self.compiled = compiled
        self.limits = limits
        self.tokenizer = JSONTokenizer(maxDepth: limits.maxDepth, names: compiled.names)
        self.rootMatch = compiled.matcher.appendRootStates(to: &self.states)
    }

    /// Rewrites the next chunk of the document.
    /// - Parameters:
    ///   - chunk: The next bytes of the document, of any size; all readable bytes are consumed.
    ///   - output: Where the rewritten bytes are written.
    ///   - transform: Called with each matched value once it is complete; its errors are rethrown.
    /// - Throws: ``SealgateJSONError`` if the document is invalid so far or a limit is exceeded,
    ///   or what `transform` throws.
    public mutating func feed(
        _ chunk: inout ByteBuffer,
        into output: inout ByteBuffer,
        transform: (MatchedValue) throws -> Replacement
    ) throws {
        try self.failingOnce { rewriter in
            try chunk.withUnsafeReadableBytes { bytes in
                try rewriter.rewrite(bytes, into: &output, transform: transform)
            }
        }
        chunk.moveReaderIndex(to: chunk.writerIndex)
    }

    /// Ends the document, rewriting a number at the top level that only its end completes.
    /// - Parameters:
    ///   - output: Where the rest of the rewritten bytes are written.
    ///   - transform: Called with a matched value completed by the end of the document.
    /// - Throws: ``SealgateJSONError`` with code ``SealgateJSONError/Code/truncated`` if the
    ///   JSON text is not complete, or what `transform` throws.
    public mutating func finish(
        into output: inout ByteBuffer,
        transform: (MatchedValue) throws -> Replacement
    ) throws {
        try self.failingOnce { rewriter in
            if try rewriter.tokenizer.finish() == .valueEnd, let rule = rewriter.captureRule {
                try rewriter.emitCapture(of: rule, into: &output, transform: transform)
            }
        }
    }

    /// Rewrites a whole document held in memory, such as one line of NDJSON.
    /// - Parameters:
    ///   - document: The document.
    ///   - paths: The rules.
    ///   - limits: The bounds to enforce.
    ///   - transform: Called with each matched value.
    /// - Returns: The rewritten document.
    public static func rewrite(
        _ document: [UInt8],
        paths: CompiledPaths,
        limits: Limits = Limits(),
        transform: (MatchedValue) throws -> Replacement
    ) throws -> [UInt8] {
        var rewriter = Self(paths, limits: limits)
        var input = ByteBuffer(bytes: document)
        var output = ByteBuffer()
        output.reserveCapacity(document.count)
        try rewriter.feed(&input, into: &output, transform: transform)
        try rewriter.finish(into: &output, transform: transform)
        return Array(output.readableBytesView)
    }

    private mutating func failingOnce(_ body: (inout Self) throws -> Void) throws {
        if let failure = self.failure {
            throw failure
        }
        do {
            try body(&self)
        } catch {
            self.failure =
                error as? SealgateJSONError
                ?? SealgateJSONError(.transformFailed, at: self.captureOffset, "the transform of a matched value failed")
            throw error
        }
    }

    private mutating func rewrite(
        _ bytes: UnsafeRawBufferPointer,
        into output: inout ByteBuffer,
        transform: (MatchedValue) throws -> Replacement
    ) throws {
        var index = 0
        var runStart = 0
        while let event = try self.tokenizer.next(in: bytes, at: &index) {
            switch event {
            case .memberName(var name):
                if let nearMiss = JSONTokenizer.NameTable.nearMissPosition(name) {
                    try self.refuseNearMiss(of: nearMiss, at: self.tokenizer.chunkOffset + index)
                    name = -1
                }
                self.memberStates(name: name)
                if self.memberMatch == nil, self.states.count == self.frames[self.frames.count - 1].states.upperBound {
                    self.tokenizer.skipValue(reportingEnd: false)
                } else {
                    self.memberReported = true
                }
            case .valueStart(let byte):
                let match = self.childMatch()
                let children = (self.frames.last?.states.upperBound ?? 0)..<self.states.count
                if let rule = match {
                    output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                    runStart = index
                    self.captureRule = rule
                    self.captureOffset = self.tokenizer.chunkOffset + index
                    self.tokenizer.skipValue(reportingEnd: true)
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "["), !children.isEmpty {
                    let isArray = byte == UInt8(ascii: "[")
                    let unselected = self.matcher.unselectedChildren(children, in: self.states, isArray: isArray)
                    self.frames.append(Frame(states: children, isArray: isArray, unselectedChildren: unselected))
                    self.tokenizer.unselectedChildren = unselected
                } else {
                    self.tokenizer.skipValue(reportingEnd: false)
                }
            case .valueEnd:
                if let rule = self.captureRule {
                    try self.appendCapture(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                    runStart = index
                    try self.emitCapture(of: rule, into: &output, transform: transform)
                } else {
                    self.frames.removeLast()
                    if let parent = self.frames.last {
                        self.tokenizer.unselectedChildren = parent.unselectedChildren
                    }
                }
            }
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[runStart...])
        if self.captureRule != nil {
            try self.appendCapture(rest)
        } else {
            output.writeBytes(rest)
        }
    }

    /// Computes the path states of a value that starts now.
    /// - Returns: The first rule that matches the value, if any.
    private mutating func childMatch() -> Int? {
        guard let parent = self.frames.last else {
            return self.rootMatch
        }
        guard parent.isArray else {
            if !self.memberReported {
                self.memberStates(name: -1)
            }
            self.memberReported = false
            return self.memberMatch
        }
        self.frames[self.frames.count - 1].count += 1
        self.truncateStates(to: parent.states.upperBound)
        return self.matcher.appendChildStates(of: parent.states, key: .index(parent.count), to: &self.states)
    }

    /// Refuses a member whose name nearly matches table name `name`, if a rule selects that name here.
    private func refuseNearMiss(of name: Int, at offset: Int) throws(SealgateJSONError) {
        let parent = self.frames[self.frames.count - 1].states
        guard let rule = self.matcher.rule(selectingName: name, in: parent, of: self.states) else { return }
        let path = self.compiled.paths[rule].description
        throw SealgateJSONError(
            .ambiguousName,
            at: offset,
            rulePath: path,
            "a member name before byte \(offset) differs from the one of rule \(path) in letter case only"
        )
    }

    /// Computes the path states and match of the current member.
    private mutating func memberStates(name: Int) {
        let parent = self.frames[self.frames.count - 1].states
        self.truncateStates(to: parent.upperBound)
        self.memberMatch = self.matcher.appendChildStates(of: parent, key: .name(name), to: &self.states)
    }

    private mutating func truncateStates(to count: Int) {
        while self.states.count > count {
            self.states.removeLast()
        }
    }

    private mutating func appendCapture(_ bytes: UnsafeRawBufferPointer) throws(SealgateJSONError) {
        guard self.captured.count + bytes.count <= self.limits.maxMatchedValueBytes else {
            throw SealgateJSONError(
                .valueTooLarge,
                at: self.captureOffset,
                rulePath: self.captureRule.map { self.compiled.paths[$0].description },
                "a matched value is larger than \(self.limits.maxMatchedValueBytes) bytes"
            )
        }
        self.captured.append(contentsOf: bytes)
    }

    private mutating func emitCapture(
        of rule: Int,
        into output: inout ByteBuffer,
        transform: (MatchedValue) throws -> Replacement
    ) throws {
        let value = MatchedValue(
            ruleIndex: rule,
            rulePath: self.compiled.paths[rule],
            byteOffset: self.captureOffset,
            rawBytes: self.captured
        )
        self.captureRule = nil
        self.captured = []
        switch try transform(value) {
        case .keep:
            output.writeBytes(value.rawBytes)
        case .bytes(let replacement):
            output.writeBytes(replacement)
        }
    }
}
