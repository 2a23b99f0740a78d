extension Keyset {
    /// What checking one key of a keyset found.
    public struct KeyCheck: Sendable, Hashable {
        /// The key's id.
        public let keyID: UInt32
        /// The key's status; only enabled keys are checked.
        public let status: Status
        /// Why the key failed, or nil if it sealed a canary that the keyset opened again (or was not checked).
        public let failure: String?
    }

    /// Seals a canary with each enabled key and opens it through the whole keyset, as tokens are opened; a
    /// deterministic key must also seal the canary to the same ciphertext twice. Disabled and destroyed keys are
    /// reported, not checked.
    public func checkKeys() -> [KeyCheck] {
        let canary = Array(#"{"sealgate":"canary"}"#.utf8)
        let associatedData = Array("sg1|canary|$.value".utf8)
        let whole: TinkCipher
        do {
            whole = try TinkCipher(keyset: self)
        } catch {
            return self.keys.map { KeyCheck(keyID: $0.id, status: $0.status, failure: "the keyset does not open: \(error)") }
        }
        return self.keys.map { key in
            guard key.status == .enabled else { return KeyCheck(keyID: key.id, status: key.status, failure: nil) }
            do {
                let single = try TinkCipher(keyset: Keyset(type: self.type, primaryKeyID: key.id, keys: [key]))
                let sealed = try single.encrypt(canary, associatedData: associatedData)
                guard try whole.decrypt(sealed, associatedData: associatedData) == canary else {
                    return KeyCheck(keyID: key.id, status: key.status, failure: "the canary opened to other bytes")
                }
                if self.type.isDeterministic, try single.encrypt(canary, associatedData: associatedData) != sealed {
                    return KeyCheck(keyID: key.id, status: key.status, failure: "the deterministic key sealed the canary two ways")
                }
                return KeyCheck(keyID: key.id, status: key.status, failure: nil)
            } catch {
                return KeyCheck(keyID: key.id, status: key.status, failure: "\(error)")
            }
        }
    }
}
