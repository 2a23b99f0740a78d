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
            alphabet.withUnsafeBufferPointer { alphabet in
                bytes.withUnsafeBufferPointer { bytes in
                    // Three bytes make four characters; the last one or two bytes make two or three.
                    var offset = 0
                    while offset + 3 <= bytes.count {
                        let bits = UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
                        output[index] = alphabet[Int(bits >> 18)]
                        output[index + 1] = alphabet[Int(bits >> 12 & 0x3F)]
                        output[index + 2] = alphabet[Int(bits >> 6 & 0x3F)]
                        output[index + 3] = alphabet[Int(bits & 0x3F)]
                        index += 4
                        offset += 3
                    }
                    let rest = bytes.count - offset
                    guard rest > 0 else { return }
                    let bits = UInt32(bytes[offset]) << 16 | (rest == 2 ? UInt32(bytes[offset + 1]) << 8 : 0)
                    output[index] = alphabet[Int(bits >> 18)]
                    output[index + 1] = alphabet[Int(bits >> 12 & 0x3F)]
                    index += 2
                    if rest == 2 {
                        output[index] = alphabet[Int(bits >> 6 & 0x3F)]
                        index += 1
                    }
                }
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
