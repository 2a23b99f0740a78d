import Foundation
import SealgateCertificates
import SealgateCrypto
import SealgateJSON
import SealgateProxy
import Yams

extension ConfigFile {
    /// One route; with `vaultToCheck`, each rule's key must have its file in that vault.
    static func route(
        _ node: Node,
        at path: String,
        _ reader: ConfigReader,
        keysConfigured: Bool,
        vaultToCheck: String? = nil
    ) -> RouteConfiguration? {
        guard let fields = reader.mapping(node, at: path, allowed: ["match", "allow", "encrypt", "decrypt_responses", "buffer", "exact_names"]) else {
            return nil
        }
        guard let matchNode = fields["match"] else {
            reader.report(node, "\(path).match is required")
            return nil
        }
        guard let match = reader.mapping(matchNode, at: "\(path).match", allowed: ["path", "methods"]) else { return nil }
        var pattern: PathPattern?
        if let text = reader.string(match["path"], at: match.path("path")) {
            do {
                pattern = try PathPattern(text)
            } catch {
                reader.report(match["path"], "\(match.path("path")): \(error.message)")
            }
        } else if match["path"] == nil {
            reader.report(matchNode, "\(path).match.path is required")
        }
        let methods = reader.sequence(match["methods"], at: match.path("methods"))?.compactMap { node -> String? in
            guard let method = reader.string(node, at: match.path("methods")) else { return nil }
            guard method.utf8.allSatisfy({ (0x41...0x5a).contains($0) }) else {
                reader.report(node, "\(match.path("methods")): \"\(method)\" is not an upper-case HTTP method")
                return nil
            }
            return method
        }
        let allow = fields["allow"].flatMap { Self.allowList($0, at: fields.path("allow"), reader) }
        var rules: [FieldRule] = []
        for (index, ruleNode) in (reader.sequence(fields["encrypt"], at: fields.path("encrypt")) ?? []).enumerated() {
            let rulePath = "\(path).encrypt[\(index)]"
            guard let rule = reader.mapping(ruleNode, at: rulePath, allowed: ["path", "key"]) else { continue }
            if rule["path"] == nil || rule["key"] == nil {
                reader.report(ruleNode, "\(rulePath) needs both path and key")
                continue
            }
            let key = reader.string(rule["key"], at: rule.path("key"))
            var template: KeyTemplate?
            do throws(KeyTemplateError) {
                template = try key.flatMap(KeyTemplate.parse)
            } catch {
                reader.report(rule["key"], "\(rule.path("key")): \(error)")
                continue
            }
            if let key, template == nil, !KeyVault.isValidKeyName(key) {
                reader.report(rule["key"], "\(rule.path("key")): \"\(key)\" is not a key name (lower-case letters, digits, '.', '_', '-')")
            }
            // A per-tenant template names no one key; its keys appear as tenants are added.
            if let key, template == nil, let vaultToCheck, KeyVault.isValidKeyName(key),
                let problem = KeyStoreCheck.keyProblem(name: key, vault: vaultToCheck)
            {
                reader.report(rule["key"], "\(rule.path("key")): \(problem)")
            }
            guard let text = reader.string(rule["path"], at: rule.path("path")), let key else { continue }
            do {
                rules.append(FieldRule(path: try JSONPath(text), key: key))
            } catch {
                reader.report(rule["path"], "\(rule.path("path")): \(error.message)")
            }
        }
        for (later, rule) in rules.enumerated() {
            for earlier in rules[..<later] where earlier.path.overlaps(rule.path) {
                reader.warn(
                    fields["encrypt"],
                    "\(path).encrypt: rules \(earlier.path) and \(rule.path) overlap; the outermost matched value "
                        + "is encrypted whole by the first rule that matches it"
                )
            }
        }
        var decrypt: AuthorizationPolicy?
        if let decryptNode = fields["decrypt_responses"] {
            decrypt = Self.policy(decryptNode, at: fields.path("decrypt_responses"), reader, key: "allow")
        }
        if decrypt != nil, rules.isEmpty, fields["encrypt"] == nil {
            reader.report(fields["decrypt_responses"], "\(path).decrypt_responses needs encrypt rules: they name the fields to decrypt")
        }
        if (!rules.isEmpty || decrypt != nil), !keysConfigured {
            reader.report(node, "\(path) has field rules but the keys section is missing")
        }
        guard let pattern else { return nil }
        let buffer = reader.bool(fields["buffer"], at: fields.path("buffer")) ?? false
        if buffer, rules.isEmpty { reader.warn(fields["buffer"], "\(path).buffer has no effect without encrypt rules") }
        let exactNames = reader.bool(fields["exact_names"], at: fields.path("exact_names")) ?? false
        if exactNames, rules.isEmpty { reader.warn(fields["exact_names"], "\(path).exact_names has no effect without encrypt rules") }
        return RouteConfiguration(
            path: pattern,
            methods: methods,
            authorization: allow,
            encrypt: rules,
            decryptResponses: decrypt,
            bufferBody: buffer,
            exactNames: exactNames
        )
    }

    /// Refuses routes that an earlier one would always take first (routes are chosen by path alone, so such a
    /// route, with its rules, never applies); warns of partial overlaps between routes with different rules.
    static func checkOrder(of routes: [(index: Int, node: Node, route: RouteConfiguration)], _ reader: ConfigReader) {
        for (position, later) in routes.enumerated() {
            for earlier in routes[..<position] {
                let names = "routes[\(later.index)] (\(later.route.path))"
                let earlierName = "routes[\(earlier.index)] (\(earlier.route.path))"
                if earlier.route.path.isSame(as: later.route.path) {
                    reader.report(later.node, "\(names) duplicates the path of \(earlierName): it would never be chosen")
                    break
                } else if earlier.route.path.covers(later.route.path) {
                    reader.report(
                        later.node,
                        "\(names) is never chosen: \(earlierName) matches every path it matches and routes are tried in "
                            + "order (move it before \(earlierName))"
                    )
                    break
                } else if earlier.route.path.overlaps(later.route.path), !Self.sameRules(earlier.route, later.route) {
                    reader.warn(
                        later.node,
                        "\(names) overlaps \(earlierName) with other rules: paths both match take \(earlierName)"
                    )
                }
            }
        }
    }

    /// Whether two routes treat a request alike, whichever of them is chosen.
    static func sameRules(_ a: RouteConfiguration, _ b: RouteConfiguration) -> Bool {
        a.methods == b.methods && a.authorization == b.authorization && a.encrypt == b.encrypt
            && a.decryptResponses == b.decryptResponses && a.bufferBody == b.bufferBody && a.exactNames == b.exactNames
    }
}
