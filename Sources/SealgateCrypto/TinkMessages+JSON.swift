#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Tink's JSON keyset format is the proto3 JSON mapping of its messages: lowerCamelCase field names, uint32 as JSON
// numbers, enums by name, bytes as standard padded base64. Parsing is strict: unknown fields, wrong types, bad
// base64 and out-of-range numbers are errors. Missing fields take their proto3 defaults.

/// Decodes and encodes Tink JSON with errors that say where the input is wrong, never what it holds.
enum TinkJSON {
    static func decode<Message: Decodable>(_ type: Message.Type, from json: some DataProtocol, what: String) throws -> Message {
        do {
            return try JSONDecoder().decode(type, from: Data(json))
        } catch let error as DecodingError {
            throw SealgateCryptoError(.invalidKeyset, "\(what) is invalid: \(describe(error))")
        } catch let error as SealgateCryptoError {
            throw SealgateCryptoError(error.code, "\(what) is invalid: \(error.message)")
        }
    }

    static func encode(_ message: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain messages cannot fail.
        let data = (try? encoder.encode(message)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            context = c
        @unknown default:
            return "malformed JSON"
        }
        let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
        return path.isEmpty ? context.debugDescription : "at \(path.joined()): \(context.debugDescription)"
    }
}

/// A JSON member name.
struct JSONKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) {
        stringValue = name
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

extension Decoder {
    /// The members of a JSON object that may have only the given fields.
    fileprivate func object(_ message: String, fields: Set<String>) throws -> KeyedDecodingContainer<JSONKey> {
        let container = try container(keyedBy: JSONKey.self)
        if let unknown = container.allKeys.first(where: { !fields.contains($0.stringValue) }) {
            throw SealgateCryptoError(.invalidKeyset, "\(message) has an unknown field \"\(unknown.stringValue)\"")
        }
        return container
    }
}

extension KeyedDecodingContainer<JSONKey> {
    fileprivate func uint32(_ name: String) throws -> UInt32 {
        guard let number = try decodeIfPresent(Int64.self, forKey: JSONKey(name)) else {
            return 0
        }
        if let value = UInt32(exactly: number) {
            return value
        }
        // Older Tink Java wrote ids above 2^31 as negative int32; Tink's readers still accept that.
        if let value = Int32(exactly: number) {
            return UInt32(bitPattern: value)
        }
        throw SealgateCryptoError(.invalidKeyset, "\(name) \(number) is out of the uint32 range")
    }

    fileprivate func string(_ name: String) throws -> String {
        try decodeIfPresent(String.self, forKey: JSONKey(name)) ?? ""
    }

    fileprivate func base64(_ name: String) throws -> [UInt8] {
        guard let text = try decodeIfPresent(String.self, forKey: JSONKey(name)) else {
            return []
        }
        guard let data = Data(base64Encoded: text) else {
            throw SealgateCryptoError(.invalidKeyset, "\(name) is not standard base64")
        }
        return [UInt8](data)
    }

    fileprivate func enumValue(_ name: String, names: [String]) throws -> Int {
        switch try decodeIfPresent(EnumValue.self, forKey: JSONKey(name)) {
        case nil:
            return 0
        case .number(let value):
            return value
        case .name(let text):
            guard let value = names.firstIndex(of: text) else {
                throw SealgateCryptoError(.invalidKeyset, "\(name) \"\(text)\" is not one of \(names.joined(separator: ", "))")
            }
            return value
        }
    }

    fileprivate func array<Element: Decodable>(_ name: String) throws -> [Element] {
        try decodeIfPresent([Element].self, forKey: JSONKey(name)) ?? []
    }
}

/// An enum field: proto3 JSON allows the name or the number.
private enum EnumValue: Decodable {
    case name(String)
    case number(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int32.self) {
            self = .number(Int(number))
        } else {
            self = .name(try container.decode(String.self))
        }
    }
}

extension KeyedEncodingContainer<JSONKey> {
    fileprivate mutating func encode(_ value: some Encodable, _ name: String) throws {
        try encode(value, forKey: JSONKey(name))
    }

    fileprivate mutating func encode(_ value: Int, _ name: String, names: [String]) throws {
        if names.indices.contains(value) {
            try encode(names[value], forKey: JSONKey(name))
        } else {
            try encode(value, forKey: JSONKey(name))
        }
    }
}

extension KeysetMessage: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("Keyset", fields: ["primaryKeyId", "key"])
        primaryKeyID = try object.uint32("primaryKeyId")
        keys = try object.array("key")
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encode(primaryKeyID, "primaryKeyId")
        try object.encode(keys, "key")
    }
}

extension KeysetMessage.Key: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("Keyset.Key", fields: ["keyData", "status", "keyId", "outputPrefixType"])
        keyData = try object.decodeIfPresent(KeyDataMessage.self, forKey: JSONKey("keyData"))
        status = try object.enumValue("status", names: TinkEnumNames.keyStatus)
        keyID = try object.uint32("keyId")
        outputPrefixType = try object.enumValue("outputPrefixType", names: TinkEnumNames.outputPrefix)
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encodeIfPresent(keyData, forKey: JSONKey("keyData"))
        try object.encode(status, "status", names: TinkEnumNames.keyStatus)
        try object.encode(keyID, "keyId")
        try object.encode(outputPrefixType, "outputPrefixType", names: TinkEnumNames.outputPrefix)
    }
}

extension KeyDataMessage: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("KeyData", fields: ["typeUrl", "value", "keyMaterialType"])
        typeURL = try object.string("typeUrl")
        value = try object.base64("value")
        keyMaterialType = try object.enumValue("keyMaterialType", names: TinkEnumNames.keyMaterial)
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encode(typeURL, "typeUrl")
        try object.encode(Data(value).base64EncodedString(), "value")
        try object.encode(keyMaterialType, "keyMaterialType", names: TinkEnumNames.keyMaterial)
    }
}

extension KeysetInfoMessage: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("KeysetInfo", fields: ["primaryKeyId", "keyInfo"])
        primaryKeyID = try object.uint32("primaryKeyId")
        keyInfo = try object.array("keyInfo")
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encode(primaryKeyID, "primaryKeyId")
        try object.encode(keyInfo, "keyInfo")
    }
}

extension KeysetInfoMessage.KeyInfo: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("KeyInfo", fields: ["typeUrl", "status", "keyId", "outputPrefixType"])
        typeURL = try object.string("typeUrl")
        status = try object.enumValue("status", names: TinkEnumNames.keyStatus)
        keyID = try object.uint32("keyId")
        outputPrefixType = try object.enumValue("outputPrefixType", names: TinkEnumNames.outputPrefix)
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encode(typeURL, "typeUrl")
        try object.encode(status, "status", names: TinkEnumNames.keyStatus)
        try object.encode(keyID, "keyId")
        try object.encode(outputPrefixType, "outputPrefixType", names: TinkEnumNames.outputPrefix)
    }
}

extension EncryptedKeysetMessage: Codable {
    init(from decoder: any Decoder) throws {
        let object = try decoder.object("EncryptedKeyset", fields: ["encryptedKeyset", "keysetInfo"])
        encryptedKeyset = try object.base64("encryptedKeyset")
        keysetInfo = try object.decodeIfPresent(KeysetInfoMessage.self, forKey: JSONKey("keysetInfo"))
    }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: JSONKey.self)
        try object.encode(Data(encryptedKeyset).base64EncodedString(), "encryptedKeyset")
        try object.encodeIfPresent(keysetInfo, forKey: JSONKey("keysetInfo"))
    }
}
