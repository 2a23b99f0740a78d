import Foundation
import SealgateKeyProviders
import Yams

extension ConfigFile {
    /// `keys`: the vault directory and the KEK (`keys.kek.provider`: local, aws-kms, pkcs11 or vault-transit).
    static func keys(_ node: Node, _ reader: ConfigReader) -> SealgateConfiguration.KeysSettings? {
        guard let fields = reader.mapping(node, at: "keys", allowed: ["vault", "kek"]) else { return nil }
        guard let vault = reader.string(fields["vault"], at: "keys.vault") else {
            if fields["vault"] == nil { reader.report(node, "keys.vault is required") }
            return nil
        }
        let providerKeys = [
            "local": ["path"], "aws-kms": ["key_id", "region", "endpoint"], "pkcs11": ["module", "token", "key_label", "pin_file", "pin_env"],
            "vault-transit": ["address", "mount", "key", "ca", "namespace", "auth"],
        ]
        guard let kekNode = fields["kek"],
            let kek = reader.mapping(kekNode, at: "keys.kek", allowed: Set(["provider"] + providerKeys.values.flatMap { $0 }))
        else {
            if fields["kek"] == nil { reader.report(node, "keys.kek is required") }
            return nil
        }
        let provider = reader.string(kek["provider"], at: "keys.kek.provider") ?? "local"
        guard let allowed = providerKeys[provider] else {
            reader.report(kek["provider"], "keys.kek.provider must be local, aws-kms, pkcs11 or vault-transit, not \"\(provider)\"")
            return nil
        }
        for (other, keys) in providerKeys where other != provider {
            for key in keys where kek[key] != nil && !allowed.contains(key) {
                reader.report(kek[key], "keys.kek.\(key) belongs to the \(other) provider, not \(provider)")
            }
        }
        switch provider {
        case "aws-kms":
            guard let keyID = reader.string(kek["key_id"], at: "keys.kek.key_id") else {
                if kek["key_id"] == nil { reader.report(kekNode, "keys.kek.key_id (a key ARN, id or alias/NAME) is required for aws-kms") }
                return nil
            }
            let region = reader.string(kek["region"], at: "keys.kek.region")
            if region == nil, !keyID.hasPrefix("arn:") {
                reader.report(kekNode, "keys.kek.region is required unless keys.kek.key_id is a key ARN")
            }
            let endpoint = reader.string(kek["endpoint"], at: "keys.kek.endpoint")
            if let endpoint, URLComponents(string: endpoint).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
                reader.report(kek["endpoint"], "keys.kek.endpoint must be an http:// or https:// URL")
            }
            return .init(vaultPath: reader.resolve(vault), kek: .awsKMS(keyID: keyID, region: region, endpoint: endpoint))
        case "vault-transit":
            return Self.vaultTransit(kek, at: kekNode, reader).map { .init(vaultPath: reader.resolve(vault), kek: .vaultTransit($0)) }
        case "pkcs11":
            var values: [String: String] = [:]
            for key in ["module", "token", "key_label"] {
                guard let value = reader.string(kek[key], at: "keys.kek.\(key)") else {
                    if kek[key] == nil { reader.report(kekNode, "keys.kek.\(key) is required for the pkcs11 provider") }
                    continue
                }
                values[key] = value
            }
            let pinFile = reader.string(kek["pin_file"], at: "keys.kek.pin_file")
            let pinEnvironment = reader.string(kek["pin_env"], at: "keys.kek.pin_env")
            guard (pinFile == nil) != (pinEnvironment == nil) else {
                reader.report(kekNode, "keys.kek needs exactly one of pin_file (a file with the user PIN) and pin_env (an environment variable)")
                return nil
            }
            guard let module = values["module"], let token = values["token"], let keyLabel = values["key_label"] else { return nil }
            let pin: KEKSettings.PINSource = pinFile.map { .file(reader.resolve($0)) } ?? .environment(pinEnvironment ?? "")
            return .init(vaultPath: reader.resolve(vault), kek: .pkcs11(module: module, token: token, keyLabel: keyLabel, pin: pin))
        default:
            guard let path = reader.string(kek["path"], at: "keys.kek.path") else {
                if kek["path"] == nil { reader.report(kekNode, "keys.kek.path is required for the local provider") }
                return nil
            }
            return .init(vaultPath: reader.resolve(vault), kek: .local(path: reader.resolve(path)))
        }
    }

    /// `keys.kek` of the vault-transit provider: `address`, `mount` [transit], `key`, `ca`, `namespace` and `auth`,
    /// one of `{token_file}`, `{approle: {role_id_file, secret_id_file, mount}}`, `{kubernetes: {role, token_file,
    /// mount}}`; files resolve against the configuration file's directory.
    private static func vaultTransit(_ kek: Fields, at node: Node, _ reader: ConfigReader) -> VaultTransitConfiguration? {
        guard let address = reader.string(kek["address"], at: "keys.kek.address") else {
            if kek["address"] == nil { reader.report(node, "keys.kek.address (such as https://vault.example:8200) is required for vault-transit") }
            return nil
        }
        if URLComponents(string: address).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            reader.report(kek["address"], "keys.kek.address must be an http:// or https:// URL")
        }
        guard let key = reader.string(kek["key"], at: "keys.kek.key") else {
            if kek["key"] == nil { reader.report(node, "keys.kek.key (the Transit key's name) is required for vault-transit") }
            return nil
        }
        let mount = reader.string(kek["mount"], at: "keys.kek.mount") ?? "transit"
        let ca = reader.string(kek["ca"], at: "keys.kek.ca").map(reader.resolve)
        let namespace = reader.string(kek["namespace"], at: "keys.kek.namespace")
        let methods = "auth: {token_file: FILE}, {approle: {role_id_file, secret_id_file}} or {kubernetes: {role}}"
        guard let authNode = kek["auth"], let auth = reader.mapping(authNode, at: "keys.kek.auth", allowed: ["token_file", "approle", "kubernetes"]) else {
            if kek["auth"] == nil { reader.report(node, "keys.kek.auth is required for vault-transit: \(methods)") }
            return nil
        }
        guard auth.values.count == 1 else {
            reader.report(authNode, "keys.kek.auth takes exactly one method: \(methods)")
            return nil
        }
        let authentication: VaultTransitConfiguration.Authentication
        if let file = reader.string(auth["token_file"], at: "keys.kek.auth.token_file") {
            authentication = .tokenFile(reader.resolve(file))
        } else if let node = auth["approle"] {
            guard let fields = reader.mapping(node, at: "keys.kek.auth.approle", allowed: ["role_id_file", "secret_id_file", "mount"]) else { return nil }
            guard let roleID = reader.string(fields["role_id_file"], at: "keys.kek.auth.approle.role_id_file"),
                let secretID = reader.string(fields["secret_id_file"], at: "keys.kek.auth.approle.secret_id_file")
            else {
                reader.report(node, "keys.kek.auth.approle needs role_id_file and secret_id_file")
                return nil
            }
            let mount = reader.string(fields["mount"], at: "keys.kek.auth.approle.mount") ?? "approle"
            authentication = .appRole(roleIDFile: reader.resolve(roleID), secretIDFile: reader.resolve(secretID), mount: mount)
        } else if let node = auth["kubernetes"] {
            guard let fields = reader.mapping(node, at: "keys.kek.auth.kubernetes", allowed: ["role", "token_file", "mount"]) else { return nil }
            guard let role = reader.string(fields["role"], at: "keys.kek.auth.kubernetes.role") else {
                reader.report(node, "keys.kek.auth.kubernetes needs role (the Vault role bound to this service account)")
                return nil
            }
            let tokenFile = reader.string(fields["token_file"], at: "keys.kek.auth.kubernetes.token_file")
                .map(reader.resolve) ?? "/var/run/secrets/kubernetes.io/serviceaccount/token"
            let mount = reader.string(fields["mount"], at: "keys.kek.auth.kubernetes.mount") ?? "kubernetes"
            authentication = .kubernetes(role: role, tokenFile: tokenFile, mount: mount)
        } else {
            return nil
        }
        return VaultTransitConfiguration(address: address, mount: mount, key: key, caFile: ca, namespace: namespace, authentication: authentication)
    }
}
