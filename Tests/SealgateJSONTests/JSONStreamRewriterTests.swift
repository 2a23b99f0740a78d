import NIOCore
import SealgateJSON
import Testing

/// Documents, rules and the expected output with each match shown as `<rule|raw bytes>`.
private let rewriteCases: [(document: String, paths: [String], expected: String)] = [
    (#"{"ssn":"123","name":"x"}"#, ["$.ssn"], #"{"ssn":<0|"123">,"name":"x"}"#),
    (#"{"a":{"b":1}}"#, ["$.a.b"], #"{"a":{"b":<0|1>}}"#),
    (#"{"a":[1,2,3]}"#, ["$.a[1]"], #"{"a":[1,<0|2>,3]}"#),
    (#"[10,20]"#, ["$[0]"], #"[<0|10>,20]"#),
    (#"{"a":[{"b":1},{"c":2},{"b":[3]}]}"#, ["$.a[*].b"], #"{"a":[{"b":<0|1>},{"c":2},{"b":<0|[3]>}]}"#),
    (#"{"a":[1,{"x":2}]}"#, ["$.a[*]"], #"{"a":[<0|1>,<0|{"x":2}>]}"#),
    (#"[1,[2]]"#, ["$[*]"], #"[<0|1>,<0|[2]>]"#),
    (#"{"a":1,"b":[2]}"#, ["$.*"], #"{"a":<0|1>,"b":<0|[2]>}"#),
    (
        #"{"ssn":1,"p":{"ssn":2,"q":[{"ssn":3}]},"r":"ssn"}"#, ["$..ssn"],
        #"{"ssn":<0|1>,"p":{"ssn":<0|2>,"q":[{"ssn":<0|3>}]},"r":"ssn"}"#
    ),
    (
        #"{"items":[{"ssn":1},{"ssn":2}],"x":{"items":[{"ssn":3}]}}"#, ["$..items[*].ssn"],
        #"{"items":[{"ssn":<0|1>},{"ssn":<0|2>}],"x":{"items":[{"ssn":<0|3>}]}}"#
    ),
    (#"{"odd key":1,"odd":2}"#, ["$['odd key']"], #"{"odd key":<0|1>,"odd":2}"#),
    (#"{"it's":1}"#, [#"$['it\'s']"#], #"{"it's":<0|1>}"#),
    (#"{"\u0073sn":1,"s\/n":2,"\"q\"":3}"#, ["$.ssn", "$['s/n']", #"$['"q"']"#], #"{"\u0073sn":<0|1>,"s\/n":<1|2>,"\"q\"":<2|3>}"#),
    (#"{"\ud83d\ude00":1,"é":2,"\u00e9":3}"#, ["$['😀']", "$.é"], #"{"\ud83d\ude00":<0|1>,"é":<1|2>,"\u00e9":<1|3>}"#),
    (#"{"ssn":1,"ssn":2}"#, ["$.ssn"], #"{"ssn":<0|1>,"ssn":<0|2>}"#),
    (#"{"a":null,"b":true,"c":false}"#, ["$.a", "$.b", "$.c"], #"{"a":<0|null>,"b":<1|true>,"c":<2|false>}"#),
    (#"{"a":{"x":[1,{"y":2}]},"b":[]}"#, ["$.a", "$.b"], #"{"a":<0|{"x":[1,{"y":2}]}>,"b":<1|[]>}"#),
    (#"{"n":-12.5e+3,"m":0}"#, ["$.n", "$.m"], #"{"n":<0|-12.5e+3>,"m":<1|0>}"#),
    (#"[1,{"a":2},[{"a":3}],"a",{"b":{"a":[4]}}]"#, ["$..a"], #"[1,{"a":<0|2>},[{"a":<0|3>}],"a",{"b":{"a":<0|[4]>}}]"#),
    (#"{"x":[0,[5,6]],"y":{"z":[7,8]},"w":{"1":9}}"#, ["$..[1]"], #"{"x":[0,<0|[5,6]>],"y":{"z":[7,<0|8>]},"w":{"1":9}}"#),
    (#"{"a":{"b":1},"c":[2]}"#, ["$..*"], #"{"a":<0|{"b":1}>,"c":<0|[2]>}"#),
    (#"{"ssnx":1,"ss":2,"xsn":3,"ssn":4}"#, ["$.ssn", "$.x"], #"{"ssnx":1,"ss":2,"xsn":3,"ssn":<0|4>}"#),
    (#"{"ssnx":1,"ss":2}"#, ["$.ssn"], #"{"ssnx":1,"ss":2}"#),
    (#"{"a":{"b":[{"c":1},{"c":2}]}}"#, ["$.a.b[1].c", "$.a.b[0].d"], #"{"a":{"b":[{"c":1},{"c":<0|2>}]}}"#),
    // Overlaps: the outermost value wins, attributed to the first rule matching it.
    (#"{"a":{"b":1}}"#, ["$.a.b", "$.a"], #"{"a":<1|{"b":1}>}"#),
    (#"{"a":{"b":1}}"#, ["$.a", "$.a.b"], #"{"a":<0|{"b":1}>}"#),
    (#"{"a":1}"#, ["$..a", "$.a"], #"{"a":<0|1>}"#),
    (#"{"a":1}"#, ["$.a", "$..a"], #"{"a":<0|1>}"#),
    (#"{"ssn":{"ssn":1}}"#, ["$..ssn"], #"{"ssn":<0|{"ssn":1}>}"#),
    (#"{"a":[{"b":1}]}"#, ["$.a[0].b", "$..b", "$.a[*]"], #"{"a":[<2|{"b":1}>]}"#),
    // The whole document, and top-level scalars (a number ends only with the document).
    (#" {"a":1} "#, ["$"], #" <0|{"a":1}> "#),
    ("12", ["$"], "<0|12>"),
    (" -0.5e1\n", ["$"], " <0|-0.5e1>\n"),
    (#""x""#, ["$"], #"<0|"x">"#),
    // Nothing matched.
    (#"{"a":1}"#, ["$.b", "$.a.b", "$.a[0]", "$[0]"], #"{"a":1}"#),
    (#"[{"a":1}]"#, ["$.a"], #"[{"a":1}]"#),
    (#"{"a":[1]}"#, ["$.a.0", "$.a['0']"], #"{"a":[1]}"#),
    ("5", ["$.a"], "5"),
    (#"{"a":1}"#, [], #"{"a":1}"#),
    // Whitespace around matched values stays where it is.
    ("{ \"a\" :\t[ 1 , 2 ] ,\r\n\"b\" : \"x\" }", ["$.a[1]", "$.b"], "{ \"a\" :\t[ 1 , <0|2> ] ,\r\n\"b\" : <1|\"x\"> }"),
]

private let rejectionCases: [(document: [UInt8], code: SealgateJSONError.Code, offset: Int)] = [
    ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), .invalidJSON, 0),
    (Array("{} x".utf8), .invalidJSON, 3),
    (Array("{}{}".utf8), .invalidJSON, 2),
    (Array("1 2".utf8), .invalidJSON, 2),
    (Array("".utf8), .truncated, 0),
    (Array("  \n".utf8), .truncated, 3),
    (Array("\u{0}".utf8), .invalidJSON, 0),
    // UTF-8: overlong, surrogate, out of range, bad and missing continuation bytes.
    ([0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, 1),
    ([0x22, 0xC1, 0xBF, 0x22], .invalidUTF8, 1),
    ([0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, 2),
    ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], .invalidUTF8, 2),
    ([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, 2),
    ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, 2),
    ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, 1),
    ([0x22, 0xFF, 0x22], .invalidUTF8, 1),
    ([0x22, 0x80, 0x22], .invalidUTF8, 1),
    ([0x22, 0xC3, 0x28, 0x22], .invalidUTF8, 2),
    ([0x22, 0xE2, 0x82, 0x22], .invalidUTF8, 3),
    ([0x22, 0xC3], .truncated, 2),
    (Array(#"{"k":"a"}"#.utf8) + [0xC3], .invalidJSON, 9),
    (Array(#"{"#.utf8) + [0x22, 0xC3, 0x22] + Array(#":1}"#.utf8), .invalidUTF8, 3),
    // Strings and escapes.
    (Array("\"a\nb\"".utf8), .invalidJSON, 2),
    (Array("\"a\u{1F}\"".utf8), .invalidJSON, 2),
    (Array(#""\x""#.utf8), .invalidJSON, 2),
    (Array(#""\u12G4""#.utf8), .invalidJSON, 5),
    (Array(#""\U0041""#.utf8), .invalidJSON, 2),
    (Array(#""\ud800""#.utf8), .invalidJSON, 7),
    (Array(#""\udc00""#.utf8), .invalidJSON, 6),
    (Array(#""\ud800\u0041""#.utf8), .invalidJSON, 12),
    (Array(#""\ud800\n""#.utf8), .invalidJSON, 8),
    (Array(#""\ud800\ud800""#.utf8), .invalidJSON, 12),
    (Array(#""abc"#.utf8), .truncated, 4),
    // Numbers.
    (Array("01".utf8), .invalidJSON, 1),
    (Array("-01".utf8), .invalidJSON, 2),
    (Array("[00]".utf8), .invalidJSON, 2),
    (Array("+1".utf8), .invalidJSON, 0),
    (Array(".5".utf8), .invalidJSON, 0),
    (Array("1.".utf8), .truncated, 2),
    (Array("[1.]".utf8), .invalidJSON, 3),
    (Array("1.e5".utf8), .invalidJSON, 2),
    (Array("1e".utf8), .truncated, 2),
    (Array("1e+".utf8), .truncated, 3),
    (Array("[1e+]".utf8), .invalidJSON, 4),
    (Array("-".utf8), .truncated, 1),
    (Array("-a".utf8), .invalidJSON, 1),
    (Array("NaN".utf8), .invalidJSON, 0),
    (Array("-Infinity".utf8), .invalidJSON, 1),
    (Array("0x10".utf8), .invalidJSON, 1),
    (Array("1.5.2".utf8), .invalidJSON, 3),
    // Literals.
    (Array("tru".utf8), .truncated, 3),
    (Array("trux".utf8), .invalidJSON, 3),
    (Array("True".utf8), .invalidJSON, 0),
    (Array("[nulL]".utf8), .invalidJSON, 4),
    (Array("truefalse".utf8), .invalidJSON, 4),
    // Structure.
    (Array("[1,]".utf8), .invalidJSON, 3),
    (Array(#"{"a":1,}"#.utf8), .invalidJSON, 7),
    (Array(#"{"a" 1}"#.utf8), .invalidJSON, 5),
    (Array("{a:1}".utf8), .invalidJSON, 1),
    (Array("{'a':1}".utf8), .invalidJSON, 1),
    (Array("[1 2]".utf8), .invalidJSON, 3),
    (Array(#"{"a":1]"#.utf8), .invalidJSON, 6),
    (Array("[}".utf8), .invalidJSON, 1),
    (Array("]".utf8), .invalidJSON, 0),
    (Array("{,}".utf8), .invalidJSON, 1),
    (Array(#"{"a":}"#.utf8), .invalidJSON, 5),
    (Array("[,1]".utf8), .invalidJSON, 1),
    (Array("[".utf8), .truncated, 1),
    (Array(#"{"a":[1]"#.utf8), .truncated, 8),
    (Array("/* c */ 1".utf8), .invalidJSON, 0),
]

@Suite struct JSONStreamRewriterTests {

    @Test(arguments: rewriteCases.indices, chunkSizes)
    func rewrites(index: Int, chunkSize: Int) throws {
        let (document, texts, expected) = rewriteCases[index]
        let output = try rewrite(Array(document.utf8), paths: try paths(texts), chunkSize: chunkSize, transform: showMatch)
        #expect(string(output) == expected)
    }

    @Test(arguments: chunkSizes)
    func keepEmitsTheDocumentUnchanged(chunkSize: Int) throws {
        let document = Array(" {\"a\" : [1, 2.50, \"\\u0041\\n\u{e9}\"], \"ssn\":{\"x\":null} ,\"b\":true}\t\r\n".utf8)
        var matches = 0
        let output = try rewrite(document, paths: try paths(["$..ssn", "$.a[*]"]), chunkSize: chunkSize) { value in
            matches += 1
            return .keep
        }
        #expect(output == document)
        #expect(matches == 4)
    }

    @Test func matchedValueDescribesItself() throws {
        var values: [MatchedValue] = []
        _ = try rewrite(Array(#"{"x":[1],"s":"\u0073s\n😀","o":{"b":1,"a":[2.0]}}"#.utf8), paths: try paths(["$.q", "$.s", "$.o", "$.x"])) {
            values.append($0)
            return .keep
        }
        #expect(values.map(\.ruleIndex) == [3, 1, 2])
        #expect(values.map(\.kind) == [.array, .string, .object])
        #expect(values.map(\.byteOffset) == [5, 13, 33])
        #expect(values.map(\.rulePath.description) == ["$.x", "$.s", "$.o"])
        #expect(values[1].stringValue == "ss\n😀")
        #expect(values[2].stringValue == nil)
        #expect(string(try values[2].canonicalJSON()) == #"{"a":[2],"b":1}"#)
    }

    /// The token check looks at decoded text: an escaped prefix counts, a combining mark after it does not.
    @Test(arguments: [
        (#""sg1:k:abc""#, "sg1:k:abc"),
        (#""\u0073g1:k""#, "sg1:k"),
        (#""sg\u0031:""#, "sg1:"),
        (#""sg1""#, nil),
        (#""s""#, nil),
        (#""""#, nil),
        (#""xg1:k""#, nil),
        (#""sg1:\u0301""#, nil),
        (#"["sg1:"]"#, nil),
        ("17", nil),
    ] as [(String, String?)])
    func stringValueStartingWithPrefix(json: String, expected: String?) throws {
        var values: [MatchedValue] = []
        _ = try rewrite(Array(#"{"v":\#(json)}"#.utf8), paths: try paths(["$.v"])) {
            values.append($0)
            return .keep
        }
        #expect(values.count == 1)
        #expect(values.first?.stringValue(startingWith: "sg1:") == expected)
    }

    /// Bytes outside matched values are emitted as soon as they are fed (held back: only a
    /// matched value in progress).
    @Test func emitsUnmatchedBytesAtOnce() throws {
        let document = Array(#"{"a":[1,"two",{"ssn":"123-45"}],"b":12}"#.utf8)
        let matchStart = document.firstIndex(of: UInt8(ascii: "-"))! - 4
        let matchEnd = matchStart + 8
        var rewriter = JSONStreamRewriter(paths: try paths(["$..ssn"]))
        var output = ByteBuffer()
        for (index, byte) in document.enumerated() {
            var chunk = ByteBuffer(bytes: [byte])
            try rewriter.feed(&chunk, into: &output) { _ in .bytes(Array(#""T""#.utf8)) }
            let fed = index + 1
            let expected: Int
            switch fed {
            case ..<matchStart: expected = fed
            case ..<matchEnd: expected = matchStart
            default: expected = fed - 8 + 3
            }
            #expect(output.readableBytes == expected, "after \(fed) bytes")
        }
    }

    @Test(arguments: chunkSizes)
    func matchedValueLimit(chunkSize: Int) throws {
        let limits = JSONStreamRewriter.Limits(maxMatchedValueBytes: 5)
        let document = Array(#"{"a":"123","b":"1234","a":[ 1, 2 ]}"#.utf8)
        let output = try rewrite(
            Array(document.prefix(21)) + Array("}".utf8),
            paths: try paths(["$.a"]),
            chunkSize: chunkSize,
            limits: limits,
            transform: showMatch
        )
        #expect(string(output) == #"{"a":<0|"123">,"b":"1234"}"#)
        #expect {
            try rewrite(document, paths: try paths(["$.x", "$.a"]), chunkSize: chunkSize, limits: limits, transform: showMatch)
        } throws: { error in
            let error = error as! SealgateJSONError
            return error.code == .valueTooLarge && error.byteOffset == 26 && error.rulePath == "$.a"
        }
    }

    @Test func transformErrorsAreRethrownAndStick() throws {
        struct Refused: Error {}
        var rewriter = JSONStreamRewriter(paths: try paths(["$.a"]))
        var output = ByteBuffer()
        var chunk = ByteBuffer(string: #"{"a":1,"#)
        #expect(throws: Refused.self) {
            try rewriter.feed(&chunk, into: &output) { _ in throw Refused() }
        }
        var rest = ByteBuffer(string: #""b":2}"#)
        #expect(throws: SealgateJSONError(.transformFailed, at: 0, "")) {
            try rewriter.feed(&rest, into: &output) { _ in .keep }
        }
        #expect(throws: SealgateJSONError(.transformFailed, at: 0, "")) {
            try rewriter.finish(into: &output) { _ in .keep }
        }
    }

    @Test func documentHelperRewritesInMemory() throws {
        let output = try JSONStreamRewriter.rewrite(Array(#"{"ssn":"1"}"#.utf8), paths: .init(try paths(["$.ssn"]))) { _ in
            .bytes(Array(#""sg1:k:AA""#.utf8))
        }
        #expect(string(output) == #"{"ssn":"sg1:k:AA"}"#)
    }

    // MARK: Rejections

    @Test(arguments: rejectionCases.indices, chunkSizes)
    func rejects(index: Int, chunkSize: Int) {
        let (document, code, offset) = rejectionCases[index]
        for rules in [[], ["$"], ["$.a", "$[0]", "$..k"]] {
            let error = rewriteError(document, paths: try! paths(rules), chunkSize: chunkSize)
            #expect(error?.code == code, "\(rules)")
            #expect(error?.byteOffset == offset, "\(rules)")
        }
    }

    @Test(arguments: [1, 7, Int.max])
    func nestingLimit(chunkSize: Int) {
        for (open, leaf, close) in [("[", "[]", "]"), (#"{"a":"#, "{}", "}")] {
            let allowed = String(repeating: open, count: 127) + leaf + String(repeating: close, count: 127)
            #expect(rewriteError(Array(allowed.utf8), paths: try! paths(["$..a"]), chunkSize: chunkSize) == nil)
            let deeper = String(repeating: open, count: 128) + leaf + String(repeating: close, count: 128)
            let error = rewriteError(Array(deeper.utf8), paths: try! paths(["$..a"]), chunkSize: chunkSize)
            #expect(error?.code == .nestingTooDeep)
            #expect(error?.byteOffset == 128 * open.utf8.count)
        }
        let limits = JSONStreamRewriter.Limits(maxDepth: 2)
        #expect(throws: SealgateJSONError(.nestingTooDeep, at: 0, "")) {
            try rewrite(Array("[[[]]]".utf8), paths: [], limits: limits, transform: showMatch)
        }
    }

    @Test(arguments: [[], ["$"], ["$.a"], ["$.a[*]", "$..c"]])
    func everyPrefixIsTruncated(rules: [String]) throws {
        let document = Array(#" {"a":[1,2.5e3,"x\u00e9y😀",true,null,{}],"b":-0,"c":{"d":[]}} "#.utf8)
        #expect(rewriteError(document, paths: try paths(rules)) == nil)
        for length in 0..<(document.count - 1) {
            let error = rewriteError(Array(document.prefix(length)), paths: try paths(rules), chunkSize: 3)
            #expect(error?.code == .truncated, "prefix \(length)")
            #expect(error?.byteOffset == length, "prefix \(length)")
        }
    }
}
