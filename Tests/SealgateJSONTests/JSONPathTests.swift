import Testing

@testable import SealgateJSON

@Suite struct JSONPathTests {
    /// Renders parsed segments compactly: `name:a`, `index:0`, `*`, with `..` for recursion.
    private static func render(_ path: JSONPath) -> String {
        path.segments.map { segment in
            let selector =
                switch segment.selector {
                case .name(let name): "name:\(String(decoding: name, as: UTF8.self))"
                case .index(let index): "index:\(index)"
                case .wildcard: "*"
                }
            return (segment.isRecursive ? ".." : "") + selector
        }.joined(separator: " ")
    }

    @Test(arguments: [
        ("$", ""),
        ("$.a.b", "name:a name:b"),
        ("$.a[0]", "name:a index:0"),
        ("$[10]", "index:10"),
        ("$.a[*].b", "name:a * name:b"),
        ("$..ssn", "..name:ssn"),
        ("$['odd key']", "name:odd key"),
        (#"$['it\'s']"#, "name:it's"),
        (#"$['back\\slash']"#, #"name:back\slash"#),
        (#"$["x"]"#, "name:x"),
        (#"$["a\"b'c"]"#, #"name:a"b'c"#),
        ("$['']", "name:"),
        ("$['[.]']", "name:[.]"),
        ("$.a[*]", "name:a *"),
        ("$[*]", "*"),
        ("$.*", "*"),
        ("$..*", "..*"),
        ("$..[0]", "..index:0"),
        ("$..['a b']", "..name:a b"),
        ("$..items[*].ssn", "..name:items * name:ssn"),
        ("$.a-b_c9", "name:a-b_c9"),
        ("$.naïve", "name:naïve"),
        ("$.contacts[*].phone", "name:contacts * name:phone"),
    ])
    func parses(text: String, expected: String) throws {
        let path = try JSONPath(text)
        #expect(Self.render(path) == expected)
        #expect(path.description == text)
    }

    @Test(arguments: [
        ("", 0, "expected '$' at column 1 in "),
        ("a", 0, "expected '$' at column 1 in a"),
        ("$a", 1, "expected '.' or '[' at column 2 in $a"),
        ("$.", 2, "expected a member name"),
        ("$.a[0", 5, "expected ']' at column 6 in $.a[0"),
        ("$.a[*", 5, "expected ']' at column 6"),
        ("$.a[", 4, "expected a quoted name, an index or '*' at column 5"),
        ("$[abc]", 2, "expected a quoted name, an index or '*'"),
        ("$[-1]", 2, "negative array indices are not supported"),
        ("$[01]", 3, "expected ']'"),
        ("$[99999999999]", 11, "array index too large"),
        ("$['a]", 5, "expected a closing ' at column 6"),
        (#"$['a\x']"#, 5, #"expected \' or \\ after a backslash"#),
        ("$['a\u{1}']", 4, "control characters are not allowed"),
        ("$...", 3, "expected a member name"),
        ("$.a b", 3, "expected '.' or '['"),
        ("$.a.", 4, "expected a member name"),
        ("$.é[x]", 5, "at column 5 in $.é[x]"),
    ])
    func rejects(text: String, byteOffset: Int, message: String) {
        #expect {
            try JSONPath(text)
        } throws: { error in
            let error = error as! SealgateJSONError
            return error.code == .invalidPath && error.byteOffset == byteOffset && error.message.contains(message)
        }
    }

    @Test(arguments: [
        ("$.a", "$.a", true),
        ("$.a", "$.b", false),
        ("$.a", "$.a.b", true),
        ("$['a']", "$.a", true),
        ("$.a.b", "$.a.c", false),
        ("$.a.b", "$.c", false),
        ("$.a[0]", "$.a[1]", false),
        ("$.a[0]", "$.a.b", false),
        ("$.a[*]", "$.a[1].b", true),
        ("$.a.*", "$.a.b", true),
        ("$..ssn", "$.x.ssn", true),
        ("$..ssn", "$.x.phone", true),  // the phone value may hold an ssn member
        ("$..a", "$..b", true),
        ("$", "$.a", true),
    ])
    func overlaps(lhs: String, rhs: String, expected: Bool) throws {
        let (left, right) = (try JSONPath(lhs), try JSONPath(rhs))
        #expect(left.overlaps(right) == expected)
        #expect(right.overlaps(left) == expected)
    }
}
