extension Sequence<UInt8> {
    /// Lower-case hexadecimal digits of the bytes, two per byte.
    public var hexString: String {
        if let contiguous = self.withContiguousStorageIfAvailable(Self.hex) { return contiguous }
        return Array(self).withUnsafeBufferPointer(Self.hex)
    }

    /// Writes the digits straight into the string's storage: one allocation, none up to 7 bytes.
    private static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { digits in
            for (index, byte) in bytes.enumerated() {
                digits[2 * index] = hexDigit(byte >> 4)
                digits[2 * index + 1] = hexDigit(byte & 0x0f)
            }
            return bytes.count * 2
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
