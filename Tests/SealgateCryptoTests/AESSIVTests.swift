import Testing

@testable import SealgateCrypto

@Suite struct AESSIVTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: String
        let headers: [String]
        let plaintext: String
        let output: String

        var testDescription: String { name }
    }

    /// RFC 5297 Appendix A.
    static let rfc5297: [Vector] = [
        Vector(
            name: "A.1 deterministic",
            key: "fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff",
            headers: ["10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627"],
            plaintext: "11223344 55667788 99aabbcc ddee",
            output: "85632d07 c6e8f37f 950acd32 0a2ecc93 40c02b96 90c4dc04 daef7f6a fe5c"
        ),
        Vector(
            name: "A.2 nonce-based",
            key: "7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f",
            headers: [
                "00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100",
                "10203040 50607080 90a0",
                "09f91102 9d74e35b d84156c5 635688c0",
            ],
            plaintext: """
                74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970 74207573 696e6720
                5349562d 414553
                """,
            output: """
                7bdb6e3b 432667eb 06f4d14b ff2fbd0f cb900f2f ddbe4043 26601965 c889bf17 dba77ceb 094fa663
                b7a3f748 ba8af829 ea64ad54 4a272e9c 485b62a3 fd5c0d
                """
        ),
    ]

    @Test(arguments: rfc5297)
    func knownAnswer(_ vector: Vector) throws {
        let siv = try AESSIV(key: [UInt8](hex: vector.key))
        let headers = vector.headers.map { [UInt8](hex: $0) }
        let sealed = try siv.seal([UInt8](hex: vector.plaintext), headers: headers)
        #expect(sealed.hex == [UInt8](hex: vector.output).hex)
        #expect(try siv.open(sealed, headers: headers) == [UInt8](hex: vector.plaintext))
        if headers.count == 1 {
            #expect(try siv.seal([UInt8](hex: vector.plaintext), associatedData: headers[0]) == sealed)
        }
    }

    @Test(arguments: [32, 48, 64], [0, 1, 15, 16, 17, 31, 32, 33, 100])
    func roundTrip(keySize: Int, plaintextSize: Int) throws {
        let siv = try AESSIV(key: (0..<keySize).map { UInt8($0) })
        let plaintext = (0..<plaintextSize).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let sealed = try siv.seal(plaintext, associatedData: [1, 2, 3])
        #expect(sealed.count == plaintext.count + 16)
        #expect(try siv.seal(plaintext, associatedData: [1, 2, 3]) == sealed)
        #expect(try siv.open(sealed, associatedData: [1, 2, 3]) == plaintext)
        #expect(throws: SealgateCryptoError(.authenticationFailure, "")) {
            try siv.open(sealed, associatedData: [1, 2, 4])
        }
    }

    @Test func tamperingAnyByteFails() throws {
        let siv = try AESSIV(key: [UInt8](repeating: 7, count: 64))
        let sealed = try siv.seal(Array("hello, world, longer than a block".utf8), associatedData: [])
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: SealgateCryptoError(.authenticationFailure, "")) {
                try siv.open(tampered, associatedData: [])
            }
        }
        #expect(throws: SealgateCryptoError(.authenticationFailure, "")) {
            try siv.open(Array(sealed.prefix(15)), associatedData: [])
        }
    }

    @Test func emptyAssociatedDataIsOneComponent() throws {
        let siv = try AESSIV(key: [UInt8](repeating: 9, count: 64))
        #expect(try siv.seal([1], associatedData: []) == siv.seal([1], headers: [[]]))
        #expect(try siv.seal([1], associatedData: []) != siv.seal([1], headers: []))
    }

    @Test(arguments: [0, 16, 31, 33, 65])
    func rejectsOtherKeySizes(_ size: Int) {
        #expect(throws: SealgateCryptoError(.invalidKeySize, "")) {
            try AESSIV(key: [UInt8](repeating: 0, count: size))
        }
    }
}
