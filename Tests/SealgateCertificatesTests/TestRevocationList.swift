import Crypto
import Foundation
import SealgateCertificates
import SwiftASN1
import X509

/// Builds certificate revocation lists in DER for the parser's tests, with swift-asn1 and swift-crypto (swift-certificates
/// has no CRL type). Each option makes one of the lists the parser must refuse.
struct TestRevocationList {
    var issuer: DistinguishedName
    var thisUpdate: Date
    var nextUpdate: Date?
    var revoked: [Certificate.SerialNumber] = []
    /// `crlExtensions`; the cRLNumber 7 by default.
    var extensions: [Certificate.Extension] = [TestRevocationList.number(7)]
    /// An extension of the first entry.
    var entryExtension: Certificate.Extension?

    static let cRLNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]

    static func number(_ value: Int) -> Certificate.Extension {
        var serializer = DER.Serializer()
        try! serializer.serialize(value)
        return Certificate.Extension(oid: Self.cRLNumberOID, critical: false, value: ArraySlice(serializer.serializedBytes))
    }

    /// The list signed with `key` (ECDSA P-256 with SHA-256).
    func der(signedWith key: P256.Signing.PrivateKey) throws -> [UInt8] {
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try Self.algorithm(&coder)
            try coder.serialize(self.issuer)
            try coder.serialize(try Self.time(self.thisUpdate))
            if let nextUpdate = self.nextUpdate { try coder.serialize(try Self.time(nextUpdate)) }
            if !self.revoked.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { entries in
                    for (index, serial) in self.revoked.enumerated() {
                        try entries.appendConstructedNode(identifier: .sequence) { entry in
                            try entry.serialize(serial.bytes)
                            try entry.serialize(try Self.time(self.thisUpdate))
                            if index == 0, let entryExtension = self.entryExtension {
                                try entry.serializeSequenceOf([entryExtension])
                            }
                        }
                    }
                }
            }
            if !self.extensions.isEmpty {
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { try $0.serializeSequenceOf(self.extensions) }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try key.signature(for: tbsBytes).derRepresentation
        var list = DER.Serializer()
        try list.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbsBytes)
            try Self.algorithm(&coder)
            try coder.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return list.serializedBytes
    }

    /// The list in PEM.
    func pem(signedWith key: P256.Signing.PrivateKey) throws -> String {
        try PEMDocument(type: "X509 CRL", derBytes: self.der(signedWith: key)).pemString + "\n"
    }

    private static func algorithm(_ coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { try $0.serialize(Self.ecdsaWithSHA256) }
    }

    private static func time(_ date: Date) throws -> UTCTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try UTCTime(year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!, minutes: parts.minute!, seconds: parts.second!)
    }
}
