// Mirrors of the few messages of Tink's proto/tink.proto, aes_gcm.proto and aes_siv.proto that keysets use.
// Enum fields keep their raw numbers so that unknown values survive parsing and are judged by `Keyset`.

/// `google.crypto.tink.Keyset`.
struct KeysetMessage: Equatable {
    /// `google.crypto.tink.Keyset.Key`.
    struct Key: Equatable {
        var keyData: KeyDataMessage?
        var status = 0
        var keyID: UInt32 = 0
        var outputPrefixType = 0
    }

    var primaryKeyID: UInt32 = 0
    var keys: [Key] = []
}

/// `google.crypto.tink.KeyData`.
struct KeyDataMessage: Equatable {
    var typeURL = ""
    var value: [UInt8] = []
    var keyMaterialType = 0
}

/// `google.crypto.tink.KeysetInfo`.
struct KeysetInfoMessage: Equatable {
    /// `google.crypto.tink.KeysetInfo.KeyInfo`.
    struct KeyInfo: Equatable {
        var typeURL = ""
        var status = 0
        var keyID: UInt32 = 0
        var outputPrefixType = 0
    }

    var primaryKeyID: UInt32 = 0
    var keyInfo: [KeyInfo] = []
}

/// `google.crypto.tink.EncryptedKeyset`.
struct EncryptedKeysetMessage: Equatable {
    var encryptedKeyset: [UInt8] = []
    var keysetInfo: KeysetInfoMessage?
}

/// `google.crypto.tink.AesGcmKey` and `google.crypto.tink.AesSivKey`: the same shape, but `key_value` is field 3
/// in the former and field 2 in the latter.
struct AESKeyMessage: Equatable {
    var version: UInt32 = 0
    var keyValue: [UInt8] = []

    init(version: UInt32 = 0, keyValue: [UInt8]) {
        self.version = version
        self.keyValue = keyValue
    }

    init(protobuf bytes: [UInt8], keyValueField: Int) throws {
        var reader = ProtobufReader(bytes[...])
        while let (field, value) = try reader.next() {
            switch field {
            case 1: version = try value.uint32("version")
            case keyValueField: keyValue = try value.bytes("key_value")
            default: continue
            }
        }
    }

    func protobuf(keyValueField: Int) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, varint: UInt64(version))
        writer.write(keyValueField, bytes: keyValue)
        return writer.bytes
    }
}

/// The names of Tink's enums in its JSON format, indexed by value.
enum TinkEnumNames {
    static let keyStatus = ["UNKNOWN_STATUS", "ENABLED", "DISABLED", "DESTROYED"]
    static let outputPrefix = ["UNKNOWN_PREFIX", "TINK", "LEGACY", "RAW", "CRUNCHY", "WITH_ID_REQUIREMENT"]
    static let keyMaterial = ["UNKNOWN_KEYMATERIAL", "SYMMETRIC", "ASYMMETRIC_PRIVATE", "ASYMMETRIC_PUBLIC", "REMOTE"]

    /// The name of `value`, or the number for values that this version does not know.
    static func name(_ value: Int, in names: [String]) -> String {
        names.indices.contains(value) ? names[value] : String(value)
    }
}

extension KeysetMessage: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 1: primaryKeyID = try value.uint32("Keyset.primary_key_id")
            case 2: keys.append(try value.message(Key.self, "Keyset.key"))
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(1, varint: UInt64(primaryKeyID))
        for key in keys {
            writer.write(2, message: key)
        }
    }
}

extension KeysetMessage.Key: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 1: keyData = try value.message(KeyDataMessage.self, "Key.key_data")
            case 2: status = try value.enumValue("Key.status")
            case 3: keyID = try value.uint32("Key.key_id")
            case 4: outputPrefixType = try value.enumValue("Key.output_prefix_type")
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(1, message: keyData)
        writer.write(2, varint: UInt64(truncatingIfNeeded: status))
        writer.write(3, varint: UInt64(keyID))
        writer.write(4, varint: UInt64(truncatingIfNeeded: outputPrefixType))
    }
}

extension KeyDataMessage: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 1: typeURL = try value.string("KeyData.type_url")
            case 2: self.value = try value.bytes("KeyData.value")
            case 3: keyMaterialType = try value.enumValue("KeyData.key_material_type")
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(1, string: typeURL)
        writer.write(2, bytes: value)
        writer.write(3, varint: UInt64(truncatingIfNeeded: keyMaterialType))
    }
}

extension KeysetInfoMessage: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 1: primaryKeyID = try value.uint32("KeysetInfo.primary_key_id")
            case 2: keyInfo.append(try value.message(KeyInfo.self, "KeysetInfo.key_info"))
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(1, varint: UInt64(primaryKeyID))
        for info in keyInfo {
            writer.write(2, message: info)
        }
    }
}

extension KeysetInfoMessage.KeyInfo: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 1: typeURL = try value.string("KeyInfo.type_url")
            case 2: status = try value.enumValue("KeyInfo.status")
            case 3: keyID = try value.uint32("KeyInfo.key_id")
            case 4: outputPrefixType = try value.enumValue("KeyInfo.output_prefix_type")
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(1, string: typeURL)
        writer.write(2, varint: UInt64(truncatingIfNeeded: status))
        writer.write(3, varint: UInt64(keyID))
        writer.write(4, varint: UInt64(truncatingIfNeeded: outputPrefixType))
    }
}

extension KeysetInfoMessage {
    /// The informational summary Tink stores beside an encrypted keyset.
    init(describing keyset: KeysetMessage) {
        primaryKeyID = keyset.primaryKeyID
        keyInfo = keyset.keys.map {
            KeyInfo(
                typeURL: $0.keyData?.typeURL ?? "",
                status: $0.status,
                keyID: $0.keyID,
                outputPrefixType: $0.outputPrefixType
            )
        }
    }
}

extension EncryptedKeysetMessage: ProtobufMessage {
    init(reader: inout ProtobufReader) throws {
        while let (field, value) = try reader.next() {
            switch field {
            case 2: encryptedKeyset = try value.bytes("EncryptedKeyset.encrypted_keyset")
            case 3: keysetInfo = try value.message(KeysetInfoMessage.self, "EncryptedKeyset.keyset_info")
            default: continue
            }
        }
    }

    func write(to writer: inout ProtobufWriter) {
        writer.write(2, bytes: encryptedKeyset)
        writer.write(3, message: keysetInfo)
    }
}
