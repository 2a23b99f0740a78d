import SealgateJSON
import Testing

/// The canonical JSON (RFC 8785) of a whole document, through the public API.
private func canonical(_ json: String) throws -> String {
    let output = try JSONStreamRewriter.rewrite(Array(json.utf8), paths: .init([try JSONPath("$")])) { value in
        .bytes(try value.canonicalJSON())
    }
    return string(output)
}

/// RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
private let appendixB: [(bits: UInt64, text: String)] = [
    (0x0000_0000_0000_0000, "0"),
    (0x8000_0000_0000_0000, "0"),
    (0x0000_0000_0000_0001, "5e-324"),
    (0x8000_0000_0000_0001, "-5e-324"),
    (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
    (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
    (0x4340_0000_0000_0000, "9007199254740992"),
    (0xC340_0000_0000_0000, "-9007199254740992"),
    (0x4430_0000_0000_0000, "295147905179352830000"),
    (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
    (0x44B5_2D02_C7E1_4AF6, "1e+23"),
    (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
    (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
    (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
    (0x444B_1AE4_D6E2_EF50, "1e+21"),
    (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
    (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
    (0x41B3_DE43_5555_5553, "333333333.3333332"),
    (0x41B3_DE43_5555_5554, "333333333.33333325"),
    (0x41B3_DE43_5555_5555, "333333333.3333333"),
    (0x41B3_DE43_5555_5556, "333333333.3333334"),
    (0x41B3_DE43_5555_5557, "333333333.33333343"),
    (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
    (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
]

@Suite struct CanonicalJSONTests {
    /// Each sample is sent as Swift's shortest text of the double, and as its canonical text.
    @Test(arguments: appendixB.indices)
    func appendixBNumbers(index: Int) throws {
        let (bits, text) = appendixB[index]
        #expect(try canonical(Double(bitPattern: bits).description) == text)
        #expect(try canonical(text) == text)
    }

    @Test(arguments: [
        ("1.0", "1"),
        ("1e2", "100"),
        ("1E+2", "100"),
        ("100e-2", "1"),
        ("0.1", "0.1"),
        ("-0", "0"),
        ("-0.0e7", "0"),
        ("0e400", "0"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("1E30", "1e+30"),
        ("0.000000000000000000000000001", "1e-27"),
        ("1e21", "1e+21"),
        ("100000000000000000000", "100000000000000000000"),
        ("1e-7", "1e-7"),
        ("0.0000001", "1e-7"),
        ("0.000001", "0.000001"),
        ("123456789", "123456789"),
        ("0", "0"),
        ("-42", "-42"),
        ("999999999999999", "999999999999999"),
        ("-1234567890123456", "-1234567890123456"),
        ("-1.5e-10", "-1.5e-10"),
        ("9007199254740992", "9007199254740992"),
        ("5e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ])
    func exactNumbers(text: String, expected: String) throws {
        #expect(try canonical(text) == expected)
    }

    @Test(arguments: [
        "9007199254740993",
        "1.00000000000000000001",
        "1e400",
        "-1e400",
        "1.7976931348623159e308",
        "1e-400",
        "2.4703282292062328e-324",
        "0.1000000000000000055511151231257827",
        "333333333.33333329",
        "123456789012345678901234567890",
    ])
    func inexactNumbers(text: String) {
        let document = #"{"a":[1,{"b":\#(text)}]}"#
        #expect {
            try JSONStreamRewriter.rewrite(Array(document.utf8), paths: .init(try paths(["$.x", "$.a"]))) {
                .bytes(try $0.canonicalJSON())
            }
        } throws: { error in
            let error = error as! SealgateJSONError
            return error.code == .numberNotExact && error.byteOffset == 13 && error.rulePath == "$.a"
                && !error.description.contains(text)
        }
    }

    /// RFC 8785 §3.2.4, without its number `333333333.33333329`, which has more digits than a
    /// double holds and so is refused here (see `inexactNumbers`).
    @Test func rfc8785Example() throws {
        let input = #"""
            {
              "numbers": [1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    /// A string without escapes is copied as it is, raw UTF-8 included; one with escapes is rewritten.
    @Test func stringsWithAndWithoutEscapes() throws {
        #expect(try canonical(#"["é€😀 ok", "plain", "", "a\/b\u0041\u2028"]"#) == "[\"é€😀 ok\",\"plain\",\"\",\"a/bA\u{2028}\"]")
    }

    /// RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji's surrogates sort before U+FB33).
    @Test func rfc8785Sorting() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let names = ["\\r", "1", "\u{80}", "ö", "€", "😀", "\u{FB33}"]
        let values = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
            "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"]
        let expected = "{" + zip(names, values).map { "\"\($0)\":\"\($1)\"" }.joined(separator: ",") + "}"
        #expect(try canonical(input) == expected)
    }

    @Test(arguments: [
        (" { \"b\" : [ 1 , { } , [ ] ] , \"a\" : { \"d\" : 1.0 , \"c\" : null } } ", #" {"a":{"c":null,"d":1},"b":[1,{},[]]} "#),  // whitespace around the matched root stays
        (#""\u0041\/\u001f\u007f\u2028\b\f\n\r\t""#, "\"A/\\u001f\u{7F}\u{2028}\\b\\f\\n\\r\\t\""),
        (#""\u0000\u001e \" \\""#, #""\u0000\u001e \" \\""#),
        (#""😀\ud83d\ude00""#, #""😀😀""#),
        (#"{"b":1,"a":2,"B":3,"aa":4,"":5}"#, #"{"":5,"B":3,"a":2,"aa":4,"b":1}"#),
        ("[true,false,null]", "[true,false,null]"),
        (#"[[[{"z":[-0.0]}]]]"#, #"[[[{"z":[0]}]]]"#),
        (#""plain""#, #""plain""#),
    ])
    func values(input: String, expected: String) throws {
        #expect(try canonical(input) == expected)
    }

    @Test func duplicateNamesInAMatchedObjectAreRefused() {
        #expect(throws: SealgateJSONError(.invalidJSON, at: 0, "")) {
            try canonical(#"{"a":1,"\u0061":1}"#)
        }
    }
}
