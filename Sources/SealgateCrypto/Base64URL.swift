/// Base64url without padding (RFC 4648 §5), strict: only the URL alphabet, no `=`, no non-zero unused bits.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Maps an ASCII byte to its 6-bit value, or 0xFF.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The encoding of `bytes`, after the ASCII text `prefix`, built in one allocation.
    static func encode(_ bytes: [UInt8], after prefix: [UInt8] = []) -> String {
        String(unsafeUninitializedCapacity: prefix.count + (bytes.count * 8 + 5) / 6) { output in
            _ = output.initialize(fromContentsOf: prefix)
            var index = prefix.count
            var bits: UInt32 = 0
            var bitCount = 0
            for byte in bytes {
                bits = bits << 8 | UInt32(byte)
                bitCount += 8
                while bitCount >= 6 {
                    bitCount -= 6
                    output[index] = alphabet[Int(bits >> UInt32(bitCount) & 0x3F)]
                    index += 1
                }
            }
            if bitCount > 0 {
                output[index] = alphabet[Int(bits << UInt32(6 - bitCount) & 0x3F)]
                index += 1
            }
            return index
        }
    }

    /// Decodes `text`, or returns nil if it is not canonical unpadded base64url.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count * 3 / 4)
        var bits: UInt32 = 0
        var bitCount = 0
        for character in text {
            let value = values[Int(character)]
            guard value != 0xFF else {
                return nil
            }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
            }
        }
        // The 2 or 4 bits left over must be zero, so that every byte string has exactly one encoding.
        guard bits & (1 << UInt32(bitCount) - 1) == 0 else {
            return nil
        }
        return bytes
    }
}
