import NIOCore
import SealgateJSON
import Testing

/// The chunk sizes every streaming table runs over (`Int.max`: the whole document at once).
let chunkSizes = [1, 2, 3, 7, 64, Int.max]

/// Feeds `document` to a new rewriter in chunks of `chunkSize` bytes.
func rewrite(
    _ document: [UInt8],
    paths: [JSONPath],
    chunkSize: Int = .max,
    limits: JSONStreamRewriter.Limits = .init(),
    transform: (MatchedValue) throws -> JSONStreamRewriter.Replacement
) throws -> [UInt8] {
    var rewriter = JSONStreamRewriter(paths: paths, limits: limits)
    var output = ByteBuffer()
    var offset = 0
    while offset < document.count {
        let end = offset + min(chunkSize, document.count - offset)
        var chunk = ByteBuffer(bytes: document[offset..<end])
        try rewriter.feed(&chunk, into: &output, transform: transform)
        #expect(chunk.readableBytes == 0)
        offset = end
    }
    try rewriter.finish(into: &output, transform: transform)
    return Array(output.readableBytesView)
}

/// Replaces a matched value by `<rule|raw bytes>`, which shows both in an expected output.
func showMatch(_ value: MatchedValue) -> JSONStreamRewriter.Replacement {
    .bytes(Array("<\(value.ruleIndex)|".utf8) + value.rawBytes + Array(">".utf8))
}

func paths(_ texts: [String]) throws -> [JSONPath] {
    try texts.map { try JSONPath($0) }
}

func string(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// The error a rewrite throws, if any.
func rewriteError(_ document: [UInt8], paths: [JSONPath] = [], chunkSize: Int = .max) -> SealgateJSONError? {
    do {
        _ = try rewrite(document, paths: paths, chunkSize: chunkSize, transform: showMatch)
        return nil
    } catch {
        return error as? SealgateJSONError
    }
}

/// A small deterministic random number generator (SplitMix64), so that generated tests repeat.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
