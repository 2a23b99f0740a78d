import Foundation

/// What `check-config` checks of the key store without unwrapping anything: that the local KEK file is private
/// to the user sealgate runs as, and that every key a rule names has its vault file.
enum KeyStoreCheck {
    /// Why the local provider's KEK file would be refused, or nil when it is fine.
    /// - Parameter path: the KEK file (absolute).
    static func kekProblem(path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return "keys.kek.path: cannot read the KEK file \(path)"
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            return "keys.kek.path: \(path) is not a regular file"
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        if mode & 0o077 != 0 {
            return "keys.kek.path: the KEK file \(path) is accessible by group or others (mode 0\(String(mode, radix: 8))); "
                + "run: chmod 600 \(path)"
        }
        let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        if owner != geteuid() {
            return "keys.kek.path: the KEK file \(path) belongs to uid \(owner.map(String.init) ?? "?"), "
                + "not to the user sealgate runs as (uid \(geteuid()))"
        }
        return nil
    }

    /// Why a rule's key cannot be used, or nil when its vault file exists.
    /// - Parameters:
    ///   - name: the key a rule names.
    ///   - vault: the vault directory (absolute).
    static func keyProblem(name: String, vault: String) -> String? {
        let file = URL(fileURLWithPath: vault).appendingPathComponent("\(name).json").path
        guard FileManager.default.fileExists(atPath: file) else {
            return "key \"\(name)\" is not in the vault (no file \(file)); create it with: sealgate keys create \(name)"
        }
        return nil
    }
}
