/// The protobuf binary encoding, for just what Tink's keyset messages use: varint and length-delimited fields.
///
/// Writing omits proto3 default values, as protobuf serializers do. Reading skips unknown fields and rejects
/// truncated or overlong input.
protocol ProtobufMessage {
    init(reader: inout ProtobufReader) throws
    func write(to writer: inout ProtobufWriter)
}

extension ProtobufMessage {
    /// Parses the binary encoding of the message.
    init(protobuf bytes: some Collection<UInt8>) throws {
        var reader = ProtobufReader(ArraySlice(bytes))
        try self.init(reader: &reader)
    }

    /// The binary encoding of the message.
    var protobuf: [UInt8] {
        var writer = ProtobufWriter()
        write(to: &writer)
        return writer.bytes
    }
}

struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ field: Int, varint value: UInt64) {
        guard value != 0 else { return }
        writeTag(field, wireType: 0)
        writeVarint(value)
    }

    mutating func write(_ field: Int, bytes value: [UInt8]) {
        guard !value.isEmpty else { return }
        writeTag(field, wireType: 2)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func write(_ field: Int, string value: String) {
        write(field, bytes: Array(value.utf8))
    }

    /// Writes an embedded message; present messages are written even when empty.
    mutating func write(_ field: Int, message: (some ProtobufMessage)?) {
        guard let message else { return }
        let encoded = message.protobuf
        writeTag(field, wireType: 2)
        writeVarint(UInt64(encoded.count))
        bytes.append(contentsOf: encoded)
    }

    private mutating func writeTag(_ field: Int, wireType: UInt64) {
        writeVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

struct ProtobufReader {
    /// A field's value as the wire carries it.
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)

        func uint32(_ name: String) throws -> UInt32 {
            guard case .varint(let value) = self, let result = UInt32(exactly: value) else {
                throw ProtobufReader.malformed("\(name) is not a uint32")
            }
            return result
        }

        /// An enum value; protobuf enums are int32, negative ones sign-extended to 64 bits.
        func enumValue(_ name: String) throws -> Int {
            guard case .varint(let value) = self else {
                throw ProtobufReader.malformed("\(name) is not an enum value")
            }
            return Int(Int32(truncatingIfNeeded: value))
        }

        func bytes(_ name: String) throws -> [UInt8] {
            guard case .bytes(let value) = self else {
                throw ProtobufReader.malformed("\(name) is not length-delimited")
            }
            return Array(value)
        }

        func string(_ name: String) throws -> String {
            guard let string = String(validating: try bytes(name), as: UTF8.self) else {
                throw ProtobufReader.malformed("\(name) is not UTF-8")
            }
            return string
        }

        func message<Message: ProtobufMessage>(_ type: Message.Type, _ name: String) throws -> Message {
            guard case .bytes(let value) = self else {
                throw ProtobufReader.malformed("\(name) is not length-delimited")
            }
            return try Message(protobuf: value)
        }
    }

    private var remaining: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) {
        remaining = bytes
    }

    /// The next known-shaped field, or nil at the end; fixed-width fields are skipped.
    mutating func next() throws -> (field: Int, value: Value)? {
        while !remaining.isEmpty {
            let tag = try readVarint()
            let field = tag >> 3
            guard field > 0, field <= 0x1FFF_FFFF else {
                throw Self.malformed("invalid field number \(field)")
            }
            switch tag & 7 {
            case 0:
                return (Int(field), .varint(try readVarint()))
            case 1:
                try skip(8)
            case 2:
                let length = try readVarint()
                guard length <= UInt64(remaining.count) else {
                    throw Self.malformed("field \(field) is truncated")
                }
                let value = remaining.prefix(Int(length))
                remaining = remaining.dropFirst(Int(length))
                return (Int(field), .bytes(value))
            case 5:
                try skip(4)
            default:
                throw Self.malformed("unsupported wire type \(tag & 7) in field \(field)")
            }
        }
        return nil
    }

    private mutating func skip(_ count: Int) throws {
        guard remaining.count >= count else {
            throw Self.malformed("fixed-width field is truncated")
        }
        remaining = remaining.dropFirst(count)
    }

    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard let byte = remaining.popFirst() else {
                throw Self.malformed("varint is truncated")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                return result
            }
        }
        throw Self.malformed("varint is longer than 10 bytes")
    }

    static func malformed(_ detail: String) -> SealgateCryptoError {
        SealgateCryptoError(.invalidKeyset, "malformed protobuf: \(detail)")
    }
}
