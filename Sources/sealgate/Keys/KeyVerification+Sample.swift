import SealgateCrypto

extension KeyVerification {
    /// Adds a sample's counts to the key versions its tokens name; a version or key name that the vault lacks is
    /// added as missing, and fails.
    mutating func merge(_ check: SampleTokenCheck, keysets: [String: Keyset], file: String, route: String) {
        var opened = 0
        var failed = 0
        for (name, tallies) in check.tokens {
            var index = self.keys.firstIndex { $0.name == name }
            if index == nil {
                self.keys.append(Key(name: name, error: "the vault has no key \(name), which sample tokens name"))
                index = self.keys.count - 1
            }
            for (id, tally) in tallies {
                opened += tally.opened
                failed += tally.failed
                guard let index else { continue }
                if let version = self.keys[index].versions.firstIndex(where: { $0.keyID == id }) {
                    self.keys[index].versions[version].sampleTokensOpened += tally.opened
                    self.keys[index].versions[version].sampleTokensFailed += tally.failed
                } else {
                    self.keys[index].versions.append(
                        Version(
                            keyID: id,
                            status: "missing",
                            primary: false,
                            canary: "not_checked",
                            failure: keysets[name] == nil ? nil : "the keyset has no key id \(id)",
                            sampleTokensOpened: tally.opened,
                            sampleTokensFailed: tally.failed
                        )
                    )
                }
            }
        }
        self.keys.sort { $0.name < $1.name }
        self.sample = Sample(
            file: file,
            route: route,
            documents: check.documents,
            tokensOpened: opened,
            tokensFailed: failed,
            malformedTokens: check.malformed,
            notTokens: check.notTokens
        )
    }
}
