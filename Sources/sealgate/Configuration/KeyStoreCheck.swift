import Foundation

/// What `check-config` checks of the key store without unwrapping anything: that the local KEK file is private
/// to the user sealgate runs as, and that every key a rule names has its vault file.
enum KeyStoreCheck {
    /// Why the local provider's KEK file would be refused, or nil when it is fine.
    /// - Parameter path: the KEK file (absolute).
    static func kekProblem(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "keys.kek.path: cannot read the KEK file \(path)" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "keys.kek.path: \(path) is not a regular file" }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return "keys.kek.path: the KEK file \(path) is accessible by group or others (mode 0\(mode)); run: chmod 600 \(path)"
        }
        if info.st_uid != geteuid() {
            return "keys.kek.path: the KEK file \(path) belongs to uid \(info.st_uid), not to the user sealgate runs as (uid \(geteuid()))"
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
