import NIOHTTP1
import SealgateCrypto

/// The `x-request-id` of a request: the client's if it is well formed, else a new random one.
enum RequestID {
    /// The client's id if it is 1–128 characters of `[A-Za-z0-9._:-]`.
    static func from(_ headers: HTTPHeaders) -> String? {
        guard let value = headers.first(name: "x-request-id"), (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy(Self.isAllowed)
        else { return nil }
        return value
    }

    /// 128 random bits as 32 lower-case hex digits.
    static func generate() -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { bytes in
            RandomBytes.fill(UnsafeMutableRawBufferPointer(bytes))
            return bytes.hexString
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
            UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
