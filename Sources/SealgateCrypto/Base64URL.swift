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
        text.withContiguousStorageIfAvailable(decodeContiguous) ?? Array(text).withUnsafeBufferPointer(decodeContiguous)
    }

    private static func decodeContiguous(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else {
            return nil
        }
        let byteCount = text.count * 6 / 8
        var valid = true
        let bytes = values.withUnsafeBufferPointer { values in
            [UInt8](unsafeUninitializedCapacity: byteCount) { bytes, initialized in
                // Four characters make three bytes; a value above 63 (0xFF) marks a character outside the alphabet.
                var offset = 0
                var index = 0
                while offset + 4 <= text.count {
                    let a = values[Int(text[offset])], b = values[Int(text[offset + 1])]
                    let c = values[Int(text[offset + 2])], d = values[Int(text[offset + 3])]
                    guard (a | b | c | d) & 0xC0 == 0 else {
                        valid = false
                        return
                    }
                    let bits = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    bytes[index] = UInt8(truncatingIfNeeded: bits >> 16)
                    bytes[index + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    bytes[index + 2] = UInt8(truncatingIfNeeded: bits)
                    index += 3
                    offset += 4
                }
                // Two or three characters are left for one or two bytes.
                var bits: UInt32 = 0
                for character in text[offset...] {
                    let value = values[Int(character)]
                    guard value != 0xFF else {
                        valid = false
                        return
                    }
                    bits = bits << 6 | UInt32(value)
                }
                let rest = text.count - offset
                if rest > 0 {
                    // The 4 or 2 bits left over must be zero, so that every byte string has exactly one encoding.
                    let unused = UInt32(rest * 6 % 8)
                    guard bits & (1 << unused - 1) == 0 else {
                        valid = false
                        return
                    }
                    bits >>= unused
                    for byte in 0..<rest - 1 {
                        bytes[index + byte] = UInt8(truncatingIfNeeded: bits >> UInt32(8 * (rest - 2 - byte)))
                    }
                    index += rest - 1
                }
                initialized = index
            }
        }
        return valid ? bytes : nil
    }
}
