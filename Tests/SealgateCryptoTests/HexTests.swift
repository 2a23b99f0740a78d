import Testing

import SealgateCrypto

@Suite struct HexTests {
    @Test func contiguousBytesBecomeTwoLowerCaseDigitsEach() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x09, 0x0a, 0x7f, 0xab, 0xff].hexString == "00090a7fabff")
        // Past the 15 bytes a string holds inline.
        #expect(Array(0...255 as ClosedRange<UInt8>).hexString.suffix(8) == "fcfdfeff")
    }

    @Test func nonContiguousSequencesAreCollectedFirst() {
        #expect((1...3 as ClosedRange<UInt8>).lazy.map { $0 * 16 }.hexString == "102030")
        #expect(repeatElement(UInt8(0xc4), count: 20).hexString == String(repeating: "c4", count: 20))
    }
}
