import SealgateCertificates
import SealgateProxy
import Yams

extension ConfigFile {
    /// `crl: [files]` and `crl_stale: warn | refuse` of a `tls` section. Each CRL must load and be signed by a CA of
    /// the bundle at `caPath` (`caKey` names it in the messages), as at start and at every reload.
    static func revocation(_ tls: Fields, caPath: String?, caKey: String, _ reader: ConfigReader) -> RevocationSettings {
        let stale = reader.choice(tls["crl_stale"], at: tls.path("crl_stale"), as: RevocationSettings.StalePolicy.self) ?? .warn
        guard let listNode = tls["crl"] else { return RevocationSettings(stale: stale) }
        let entries = reader.sequence(listNode, at: tls.path("crl")) ?? []
        let paths = entries.enumerated().compactMap { reader.existingFile($1, at: "\(tls.path("crl"))[\($0)]") }
        if entries.isEmpty { reader.report(listNode, "\(tls.path("crl")) must list at least one file") }
        guard let caPath else {
            reader.report(listNode, "\(tls.path("crl")) needs \(tls.path(caKey)): a CRL is verified against the CA that signed it")
            return RevocationSettings(paths: paths, stale: stale)
        }
        if paths.count == entries.count {
            Self.check(listNode, reader) { () throws(SealgateCertificatesError) in
                _ = try CertificateRevocationSet(paths: paths, issuers: try CertificateBundle(path: caPath).certificates)
            }
        }
        return RevocationSettings(paths: paths, stale: stale)
    }
}
