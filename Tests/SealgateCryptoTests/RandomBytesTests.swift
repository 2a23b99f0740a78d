import Testing

@testable import SealgateCrypto

@Suite struct RandomBytesTests {
    @Test func drawsAreDistinctAcrossPoolRefills() {
        // 1,000 nonces of 12 bytes take the pool through two refills; a repeat would be a broken pool.
        let nonces = (0..<1000).map { _ in RandomBytes.bytes(12) }
        #expect(Set(nonces).count == nonces.count)
        #expect(nonces.allSatisfy { $0.count == 12 })
    }

    @Test func largerThanThePoolIsFilledCompletely() {
        let bytes = RandomBytes.bytes(10_000)
        #expect(bytes.count == 10_000)
        // Every 16-byte block of the draw is random: none is left zero, as an unfilled or reused region would be.
        let blocks = stride(from: 0, to: bytes.count - 15, by: 16).map { Array(bytes[$0..<$0 + 16]) }
        #expect(!blocks.contains([UInt8](repeating: 0, count: 16)))
        #expect(Set(blocks).count == blocks.count)
    }

    @Test func byteValuesAreSpread() {
        // 64 KiB from a uniform source: each of the 256 values appears about 256 times, never under 150.
        let bytes = RandomBytes.bytes(65_536)
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        #expect(counts.min()! > 150)
    }
}
