import Crypto
import Foundation
import SealgateCrypto
import SwiftASN1
import X509

/// One X.509 certificate revocation list (RFC 5280 §5), parsed from DER. Pure: parsing checks the structure only;
/// ``isSigned(by:)`` checks the signature against a CA certificate.
///
/// ```
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signature BIT STRING }
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
///     thisUpdate Time, nextUpdate Time OPTIONAL,
///     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
///         crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
///     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
///
/// Fails closed: a list with a critical extension sealgate does not understand (delta CRLs, issuing distribution
/// points, indirect entries), without `nextUpdate`, or signed with an algorithm other than ECDSA, RSA PKCS#1 v1.5
/// with SHA-2 or Ed25519 is refused, since sealgate could not tell what it leaves out.
public struct CertificateRevocationList: Sendable, Hashable {
    /// The CA that issued the list.
    public var issuer: DistinguishedName
    /// When the list was issued.
    public var thisUpdate: Date
    /// When the next list is due: past it, the list is stale.
    public var nextUpdate: Date
    /// The serial numbers the list revokes.
    public var revokedSerials: Set<Certificate.SerialNumber>
    /// The `cRLNumber` extension in lower-case hex, if present.
    public var number: String?
    /// Lower-case hex SHA-256 of the DER encoding.
    public var sha256: String
    private var signatureAlgorithm: Certificate.SignatureAlgorithm
    private var signature: [UInt8]
    private var signedBytes: [UInt8]

    /// The `cRLNumber` and `authorityKeyIdentifier` extensions: the only ones read or tolerated as critical.
    private static let cRLNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
    private static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
    /// Entry extensions understood: reasonCode and invalidityDate (informational only).
    private static let entryExtensions: Set<ASN1ObjectIdentifier> = [[2, 5, 29, 21], [2, 5, 29, 24]]

    /// Parses a DER-encoded list.
    /// - Parameter derBytes: the `CertificateList` in DER.
    /// - Throws: ``SealgateCertificatesError`` with code `invalidRevocationList`, saying what is wrong.
    public init(derBytes: [UInt8]) throws(SealgateCertificatesError) {
        do {
            self = try Self.parse(derBytes)
        } catch let error as SealgateCertificatesError {
            throw error
        } catch {
            throw SealgateCertificatesError(.invalidRevocationList, "not a DER certificate revocation list: \(error)")
        }
    }

    /// Every list in a file's contents: PEM (`-----BEGIN X509 CRL-----` blocks) or one DER list.
    /// - Parameter bytes: the file's contents.
    public static func all(inFile bytes: [UInt8]) throws(SealgateCertificatesError) -> [CertificateRevocationList] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN") else { return [try CertificateRevocationList(derBytes: bytes)] }
        let documents = (try? PEMDocument.parseMultiple(pemString: text)) ?? []
        let lists = documents.filter { $0.discriminator == "X509 CRL" }
        guard !lists.isEmpty else { throw SealgateCertificatesError(.invalidRevocationList, "holds no PEM X509 CRL block") }
        var parsed: [CertificateRevocationList] = []
        for list in lists { parsed.append(try CertificateRevocationList(derBytes: list.derBytes)) }
        return parsed
    }

    /// Whether `certificate` signed this list: its subject is the list's issuer, its key usage (if any) allows
    /// cRLSign, and its public key verifies the signature.
    /// - Parameter certificate: a CA certificate.
    public func isSigned(by certificate: Certificate) -> Bool {
        guard certificate.subject == self.issuer else { return false }
        if let usage = try? certificate.extensions.keyUsage, !usage.cRLSign { return false }
        return certificate.publicKey.isValidSignature(self.signature, for: self.signedBytes, signatureAlgorithm: self.signatureAlgorithm)
    }

    /// Whether the list revokes the certificate with `serial` (the caller matches the issuer).
    public func revokes(serial: Certificate.SerialNumber) -> Bool { self.revokedSerials.contains(serial) }

    /// Whether the list is past its `nextUpdate` at `now`.
    public func isStale(at now: Date) -> Bool { now > self.nextUpdate }

    private static func parse(_ derBytes: [UInt8]) throws -> CertificateRevocationList {
        let root = try DER.parse(derBytes)
        return try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next() else { throw Self.invalid("no tbsCertList") }
            let outerAlgorithm = try Self.algorithm(&nodes)
            let signature = try ASN1BitString(derEncoded: &nodes)
            guard signature.paddingBits == 0 else { throw Self.invalid("the signature is not a whole number of bytes") }
            var list = try DER.sequence(tbs, identifier: .sequence) { fields in try Self.tbsCertList(&fields) }
            guard list.signatureAlgorithm == outerAlgorithm else {
                throw Self.invalid("the signature algorithms inside and outside the signed part differ")
            }
            list.signature = Array(signature.bytes)
            list.signedBytes = Array(tbs.encodedBytes)
            list.sha256 = SHA256.hash(data: derBytes).hexString
            return list
        }
    }

    private static func tbsCertList(_ nodes: inout ASN1NodeCollection.Iterator) throws -> CertificateRevocationList {
        if let version = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as Int?, version != 1 {
            throw Self.invalid("version \(version + 1) is not v2")
        }
        let algorithm = try Self.algorithm(&nodes)
        guard let issuerNode = nodes.next() else { throw Self.invalid("no issuer") }
        let issuer = try DistinguishedName(derEncoded: issuerNode)
        let thisUpdate = try Self.time(nodes.next())
        var rest = nodes
        var nextUpdate: Date?
        if let node = rest.next(), node.identifier == .utcTime || node.identifier == .generalizedTime {
            nextUpdate = try Self.time(node)
            nodes = rest
        }
        guard let nextUpdate else { throw Self.invalid("has no nextUpdate, so sealgate could not tell when it is stale") }
        var serials: Set<Certificate.SerialNumber> = []
        rest = nodes
        if let node = rest.next(), node.identifier == .sequence {
            nodes = rest
            try DER.sequence(of: RevokedEntry.self, identifier: .sequence, rootNode: node).forEach { serials.insert($0.serial) }
        }
        var number: String?
        try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
            for item in try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node) {
                switch item.oid {
                case Self.cRLNumber:
                    let bytes = try ArraySlice<UInt8>(derEncoded: item.value).drop { $0 == 0 }
                    number = bytes.isEmpty ? "00" : bytes.hexString
                case Self.authorityKeyIdentifier:
                    break
                default:
                    if item.critical { throw Self.invalid("has a critical extension sealgate does not understand (\(item.oid))") }
                }
            }
        }
        guard nodes.next() == nil else { throw Self.invalid("has unexpected fields after its extensions") }
        return CertificateRevocationList(
            issuer: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate, revokedSerials: serials, number: number,
            signatureAlgorithm: algorithm
        )
    }

    /// The signed part's fields; the signature, signed bytes and fingerprint are set by ``parse(_:)``.
    private init(
        issuer: DistinguishedName,
        thisUpdate: Date,
        nextUpdate: Date,
        revokedSerials: Set<Certificate.SerialNumber>,
        number: String?,
        signatureAlgorithm: Certificate.SignatureAlgorithm
    ) {
        self.issuer = issuer
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.revokedSerials = revokedSerials
        self.number = number
        self.signatureAlgorithm = signatureAlgorithm
        self.sha256 = ""
        self.signature = []
        self.signedBytes = []
    }

    /// One `revokedCertificates` entry: only the serial matters; a critical entry extension other than the
    /// informational ones (a `certificateIssuer` of an indirect list, say) refuses the whole list.
    private struct RevokedEntry: DERParseable {
        var serial: Certificate.SerialNumber

        init(derEncoded node: ASN1Node) throws {
            self.serial = try DER.sequence(node, identifier: .sequence) { nodes in
                let serial = Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: &nodes))
                _ = try CertificateRevocationList.time(nodes.next())
                if let extensions = nodes.next() {
                    for item in try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: extensions)
                    where item.critical && !CertificateRevocationList.entryExtensions.contains(item.oid) {
                        throw CertificateRevocationList.invalid("revokes a certificate with a critical entry extension sealgate does not understand (\(item.oid))")
                    }
                }
                return serial
            }
        }
    }

    /// The signature algorithms sealgate verifies, by OID; parameters must be absent or NULL for RSA.
    private static let algorithms: [ASN1ObjectIdentifier: Certificate.SignatureAlgorithm] = [
        [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256,
        [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384,
        [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512,
        [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption,
        [1, 3, 101, 112]: .ed25519,
    ]

    private static func algorithm(_ nodes: inout ASN1NodeCollection.Iterator) throws -> Certificate.SignatureAlgorithm {
        guard let node = nodes.next() else { throw Self.invalid("no signature algorithm") }
        return try DER.sequence(node, identifier: .sequence) { fields in
            let oid = try ASN1ObjectIdentifier(derEncoded: &fields)
            if let parameters = fields.next(), parameters.identifier != .null {
                throw Self.invalid("signature algorithm \(oid) has parameters sealgate does not support")
            }
            guard let algorithm = Self.algorithms[oid] else {
                throw Self.invalid("is signed with \(oid), which sealgate does not verify (ECDSA, RSA PKCS#1 v1.5 with SHA-2, Ed25519)")
            }
            return algorithm
        }
    }

    private static func time(_ node: ASN1Node?) throws -> Date {
        guard let node else { throw Self.invalid("a time is missing") }
        let parts: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int)
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            parts = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        default:
            throw Self.invalid("a time is neither UTCTime nor GeneralizedTime")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: parts.hours, minute: parts.minutes, second: parts.seconds)
        guard let date = calendar.date(from: components) else { throw Self.invalid("a time is out of range") }
        return date
    }

    fileprivate static func invalid(_ reason: String) -> SealgateCertificatesError {
        SealgateCertificatesError(.invalidRevocationList, reason)
    }
}
