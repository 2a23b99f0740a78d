import Foundation
import SealgateCrypto
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Encrypting routes")
    struct EncryptingRoutes {
        static let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
            of: """
                routes:
                  - match: {path: /v1/patients, methods: [GET, POST, PUT]}
                """,
            with: """
                keys: {vault: keys, kek: {provider: local, path: kek.json}}
                routes:
                  - match: {path: /v1/patients, methods: [GET, POST, PUT]}
                    encrypt:
                      - {path: $.ssn, key: pii}
                      - {path: "$.contacts[*].phone", key: pii-search}
                      - {path: $.card.number, key: financial}
                    decrypt_responses:
                      allow: [{dns: reader.clinic.internal}]
                """
        )

        /// Creates the KEK and the three keys; returns ciphers to check tokens independently of the proxy.
        static func makeKeys(in directory: URL) async throws -> [String: FieldCipher] {
            let kek = try LocalKeyEncryptionKey.create(at: directory.appendingPathComponent("kek.json").path)
            let vaultPath = directory.appendingPathComponent("keys").path
            try KeyVault.createDirectory(at: vaultPath)
            let vault = KeyVault(directory: vaultPath, provider: kek)
            var ciphers: [String: FieldCipher] = [:]
            for (name, type) in [("pii", KeyType.aes256GCM), ("pii-search", .aes256SIV), ("financial", .aes256GCM)] {
                ciphers[name] = try FieldCipher(keyName: name, keyset: try await vault.create(name, type: type))
            }
            return ciphers
        }

        static func withEncryptingProxy(_ body: (ProxyHarness, [String: FieldCipher]) async throws -> Void) async throws {
            let ciphers = Locked<[String: FieldCipher]>([:])
            try await ProxyHarness.with(configuration: Self.configuration, prepare: { ciphers.value = try await Self.makeKeys(in: $0) }) {
                try await body($0, ciphers.value)
            }
        }

        static let document = #"""
            {"name": "Ada Lovelace", "ssn": "078-05-1120",
             "contacts": [{"type": "home", "phone": "+44 20 7946 0000"}, {"type": "work", "phone": "+44 20 7946 0000"}],
             "card": {"number": 4111111111111111, "expiry": "12/30"}, "tags": ["a", {"ssn": "not a rule path"}]}
            """#

        @Test("rule values reach the backend only as tokens; every other byte is unchanged")
        func requestEncryption() async throws {
            try await Self.withEncryptingProxy { harness, ciphers in
                for http in ["--http1.1", "--http2"] {
                    let result = try await harness.curl(
                        "/v1/patients/records/\(http)",
                        [http, "-H", "content-type: application/json", "--data-binary", Self.document]
                    )
                    #expect(result.status == 200, "\(http) \(result.bodyText)")
                }
                let records = harness.backend.records()
                #expect(records.count == 2)
                for record in records {
                    let stored = try #require(record.body)
                    for secret in ["078-05-1120", "+44 20 7946 0000", "4111111111111111"] {
                        #expect(!stored.contains(secret), "\(secret) reached the backend")
                    }
                    #expect(stored.contains(#""not a rule path""#))
                    // The length of the rewritten body, never the client's.
                    #expect(record.values("content-length") == [String(record.body_length)])
                    #expect(record.body_length != Self.document.utf8.count)
                    // Replace each token by a marker, and each rule value of the original by the same marker:
                    // the two documents must then be byte-for-byte equal.
                    let tokens = try Regex(#""sg1:[a-z0-9._-]+:[A-Za-z0-9_-]+""#)
                    let storedMasked = stored.replacing(tokens, with: "\"#\"")
                    let originalMasked = Self.document
                        .replacingOccurrences(of: #""078-05-1120""#, with: "\"#\"")
                        .replacingOccurrences(of: #""+44 20 7946 0000""#, with: "\"#\"")
                        .replacingOccurrences(of: "4111111111111111", with: "\"#\"")
                    #expect(storedMasked == originalMasked)
                    // The tokens decrypt (outside the proxy) to the canonical JSON of the original values.
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
                    let ssn = try #require(object["ssn"] as? String)
                    #expect(String(decoding: try ciphers["pii"]!.open(token: ssn, rulePath: "$.ssn"), as: UTF8.self) == #""078-05-1120""#)
                    let card = try #require((object["card"] as? [String: Any])?["number"] as? String)
                    #expect(String(decoding: try ciphers["financial"]!.open(token: card, rulePath: "$.card.number"), as: UTF8.self) == "4111111111111111")
                    let phones = try #require(object["contacts"] as? [[String: Any]]).compactMap { $0["phone"] as? String }
                    #expect(phones.count == 2)
                    #expect(phones[0] == phones[1], "deterministic key: equal values, equal tokens")
                }
                let access = harness.proxy.logEntries().filter { $0["msg"] == "access" }
                #expect(access.first?["fields_encrypted"] == "4")
            }
        }

        @Test("authorized readers get plaintext back; others get the tokens exactly as stored")
        func responseDecryption() async throws {
            try await Self.withEncryptingProxy { harness, _ in
                let stored = try await harness.curl(
                    "/v1/patients/records/7",
                    ["-H", "content-type: application/json", "--data-binary", Self.document]
                )
                #expect(stored.status == 200)
                let asWriter = try await harness.curl("/v1/patients/records/7", as: .writer)
                let asReader = try await harness.curl("/v1/patients/records/7", as: .reader, ["--compressed"])
                let atRest = try #require(harness.backend.records().first?.body)
                #expect(asWriter.bodyText == atRest)
                #expect(asReader.status == 200)
                // Every value of the document is already in canonical form, so decryption restores it byte for byte.
                #expect(asReader.bodyText == Self.document)
                #expect(asReader.header("content-length") == nil || asReader.header("content-length") == String(asReader.body.count))
                let readerRequest = harness.backend.records().last
                #expect(readerRequest?.values("accept-encoding").isEmpty == true)
                let metrics = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory)
                #expect(metrics.bodyText.contains(#"sealgate_fields_decrypted_total{route="/v1/patients",key="pii"} 1"#))
                #expect(metrics.bodyText.contains(#"sealgate_fields_encrypted_total{route="/v1/patients",key="pii-search"} 2"#))
            }
        }

        @Test("a re-sent token passes unchanged; a forged or moved one is refused")
        func tokensAtRulePaths() async throws {
            try await Self.withEncryptingProxy { harness, ciphers in
                let token = try ciphers["pii"]!.seal(plaintext: Array(#""078-05-1120""#.utf8), rulePath: "$.ssn")
                let resent = try await harness.curl(
                    "/v1/patients",
                    ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"\#(token)"}"#]
                )
                #expect(resent.status == 200)
                #expect(resent.echoed?.body == #"{"ssn":"\#(token)"}"#)
                let moved = try await harness.curl(
                    "/v1/patients",
                    ["-H", "content-type: application/json", "--data-binary", #"{"card":{"number":"\#(token)"}}"#]
                )
                #expect(moved.status == 400)
                #expect(moved.json?["code"] as? String == "not_authentic_token")
                #expect(harness.backend.records().count == 1)
            }
        }

        @Test(
            "fail closed: the backend never gets a complete request, nor a plaintext value",
            arguments: [
                (["-H", "content-type: text/plain"], #"{"ssn":"078-05-1120"}"#, 415, "unsupported_media_type"),
                (["-H", "content-type:"], #"{"ssn":"078-05-1120"}"#, 415, "unsupported_media_type"),
                (["-H", "content-type: application/json; charset=latin1"], #"{"ssn":"078-05-1120"}"#, 415, "unsupported_media_type"),
                (["-H", "content-type: application/json", "-H", "content-encoding: gzip"], #"{"ssn":"078-05-1120"}"#, 415, "unsupported_media_type"),
                (["-H", "content-type: application/json"], #"{"ssn":"078-05-1120""#, 400, "invalid_json"),
                (["-H", "content-type: application/json"], #"{"ssn":"078-05-1120"} trailing"#, 400, "invalid_json"),
                (["-H", "content-type: application/json"], "\u{FEFF}{\"ssn\":\"078-05-1120\"}", 400, "invalid_json"),
                (["-H", "content-type: application/json"], #"{"card":{"number":9007199254740993}}"#, 400, "number_not_exact"),
                (["-H", "content-type: application/json"], #"{"ssn":"sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#, 400, "not_authentic_token"),
                (["-H", "content-type: application/vnd.api+json"], String(repeating: "[", count: 129) + String(repeating: "]", count: 129), 400, "invalid_json"),
            ]
        )
        func failClosed(headers: [String], body: String, status: Int, code: String) async throws {
            try await Self.withEncryptingProxy { harness, _ in
                for http in ["--http1.1", "--http2"] {
                    let result = try await harness.curl("/v1/patients", headers + [http, "--data-binary", body])
                    #expect(result.status == status, "\(http): \(result.bodyText)")
                    #expect(result.json?["code"] as? String == code, "\(http)")
                    if code == "invalid_json" {
                        // Where the document went wrong, as the README promises.
                        #expect((result.json?["detail"] as? String)?.contains(" at byte ") == true, "\(result.bodyText)")
                    }
                    #expect(result.bodyText.contains("078-05-1120") == false)
                }
                // Small bodies are refused before anything is sent.
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("fail closed after streaming began: a large body refused at its end leaves the backend an incomplete request")
        func failClosedWhileStreaming() async throws {
            try await Self.withEncryptingProxy { harness, _ in
                // Long enough to be read, rewritten and forwarded in many pieces before the refused value arrives.
                let file = harness.directory.appendingPathComponent("late-error.json")
                let note = String(repeating: "n", count: 900_000)  // under the harness's max_body of 1 MiB
                try Data(#"{"ssn": "078-05-1120", "note": "\#(note)", "card": {"number": 9007199254740993}}"#.utf8).write(to: file)
                for http in ["--http1.1", "--http2"] {
                    let result = try await harness.curl(
                        "/v1/patients",
                        [http, "-H", "content-type: application/json", "--data-binary", "@\(file.path)"]
                    )
                    #expect(result.status == 400, "\(http): \(result.bodyText)")
                    #expect(result.json?["code"] as? String == "number_not_exact", "\(http)")
                }
                // The backend records each aborted request once it sees its connection end.
                for _ in 0..<50 where harness.backend.records().count < 2 { try await Task.sleep(for: .milliseconds(100)) }
                let records = harness.backend.records()
                #expect(records.count == 2)
                #expect(records.allSatisfy { !$0.complete })
                #expect(records.allSatisfy { !($0.body ?? "").contains("078-05-1120") })
            }
        }

        @Test("a request without a body passes untouched on a rule route")
        func bodilessRequest() async throws {
            try await Self.withEncryptingProxy { harness, _ in
                let result = try await harness.curl("/v1/patients?page=2", ["--http2"])
                #expect(result.status == 200)
                #expect(result.echoed?.body_length == 0)
                #expect(result.echoed?.values("content-length").isEmpty == true)
                #expect(result.echoed?.values("transfer-encoding").isEmpty == true)
            }
        }
    }
}

/// A value shared with a closure that runs before the harness body.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: written once by the prepare step, then only read, both on the test's task.
    var value: Value
    init(_ value: Value) { self.value = value }
}

extension EndToEndTests.EncryptingRoutes {
    @Test("key use is audited per key, identity and operation, never with a value")
    func keyUseAudit() async throws {
        let configuration = Self.configuration + "\nlog: {audit: audit.log}\n"
        let ciphers = Locked<[String: FieldCipher]>([:])
        try await ProxyHarness.with(configuration: configuration, prepare: { ciphers.value = try await Self.makeKeys(in: $0) }) { harness in
            for _ in 0..<3 {
                let result = try await harness.curl(
                    "/v1/patients/records/1",
                    ["-H", "content-type: application/json", "--data-binary", Self.document]
                )
                #expect(result.status == 200)
            }
            // A reader writes (its fields are encrypted) and gets the stored record back decrypted.
            let written = try await harness.curl(
                "/v1/patients/records/2",
                as: .reader,
                ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1120"}"#]
            )
            #expect(written.bodyText == #"{"ssn":"078-05-1120"}"#)
            _ = try await harness.curl("/v1/patients/records/1", as: .reader)
            #expect(try await harness.proxy.stop(signal: SIGTERM) == 0)
            let audit = try String(contentsOf: harness.directory.appendingPathComponent("audit.log"), encoding: .utf8)
            let events = audit.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            func count(_ key: String, _ identity: String, _ operation: String) -> Int? {
                events.first { $0["key"] as? String == key && $0["identity"] as? String == identity && $0["operation"] as? String == operation }?["count"] as? Int
            }
            #expect(events.allSatisfy { $0["event"] as? String == "key.used" })
            #expect(count("pii-search", TestPKI.writerURI, "encrypt") == 6)
            #expect(count("pii", TestPKI.writerURI, "encrypt") == 3)
            #expect(count("financial", TestPKI.readerURI, "decrypt") == 1)
            #expect(count("pii", TestPKI.readerURI, "encrypt") == 1)
            #expect(count("pii", TestPKI.readerURI, "decrypt") == 2)
            for secret in ["078-05-1120", "+44 20 7946 0000", "4111111111111111"] {
                #expect(!audit.contains(secret))
            }
        }
    }
}

extension EndToEndTests.EncryptingRoutes {
    @Test("chunked uploads are encrypted too, and a small one reaches the backend with a Content-Length; refusals are counted by reason")
    func chunkedUpload() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            let result = try await harness.curl(
                "/v1/patients",
                ["--http1.1", "-H", "content-type: application/json", "-H", "transfer-encoding: chunked", "--data-binary", Self.document]
            )
            #expect(result.status == 200)
            let seen = try #require(result.echoed)
            #expect(seen.body?.contains("078-05-1120") == false)
            #expect(seen.values("transfer-encoding").isEmpty)
            #expect(seen.values("content-length") == [String(seen.body_length)])
            _ = try await harness.curl("/v1/patients", ["-H", "content-type: text/plain", "--data-binary", "x"])
            let metrics = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory)
            #expect(metrics.bodyText.contains(#"sealgate_rejected_requests_total{reason="unsupported_media_type"} 1"#))
        }
    }

    @Test("a rewritten body that does not end within 64 KiB streams to the backend chunked, encrypted")
    func largeBodyStreams() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            let file = harness.directory.appendingPathComponent("large.json")
            let note = String(repeating: "n", count: 64 << 10)  // sealgate holds at most 64 KiB for a Content-Length
            try Data(#"{"ssn": "078-05-1120", "note": "\#(note)"}"#.utf8).write(to: file)
            for http in ["--http1.1", "--http2"] {
                let result = try await harness.curl(
                    "/v1/patients",
                    [http, "-H", "content-type: application/json", "--data-binary", "@\(file.path)"]
                )
                #expect(result.status == 200, "\(http)")
                let seen = try #require(result.echoed)
                #expect(seen.values("transfer-encoding") == ["chunked"], "\(http)")
                #expect(seen.values("content-length").isEmpty, "\(http)")
                #expect(seen.body?.contains("078-05-1120") == false)
                #expect(seen.body?.contains(note) == true)
            }
        }
    }

    @Test("an HTTP/2 body sent without a Content-Length is held, or streamed chunked past 64 KiB, and encrypted either way")
    func http2BodyWithoutLength() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            let large = harness.directory.appendingPathComponent("large.json")
            try Data(#"{"ssn": "078-05-1120", "note": "\#(String(repeating: "n", count: 100_000))"}"#.utf8).write(to: large)
            for (body, chunked) in [(Self.document, false), ("@\(large.path)", true)] {
                // `Content-Length:` with no value makes curl leave the header out; the body still goes in DATA frames.
                let result = try await harness.curl(
                    "/v1/patients",
                    ["--http2", "-H", "content-type: application/json", "-H", "Content-Length:", "--data-binary", body]
                )
                #expect(result.status == 200, "\(result.bodyText)")
                let seen = try #require(result.echoed)
                #expect(seen.values("transfer-encoding") == (chunked ? ["chunked"] : []))
                #expect(seen.values("content-length") == (chunked ? [] : [String(seen.body_length)]))
                #expect(seen.complete)
                #expect(seen.body?.contains("078-05-1120") == false)
                #expect(seen.body?.contains("sg1:pii:") == true)
            }
            // Outside encrypting routes such a body streams through chunked, as it came.
            let passthrough = try await harness.curl(
                "/elsewhere",
                ["--http2", "-H", "content-type: application/json", "-H", "Content-Length:", "--data-binary", Self.document]
            )
            #expect(passthrough.status == 200, "\(passthrough.bodyText)")
            #expect(passthrough.echoed?.values("transfer-encoding") == ["chunked"])
            #expect(passthrough.echoed?.body == Self.document)
        }
    }

    @Test("a rewritten body that ends with trailers stays chunked, the framing that carries them")
    func trailersKeepChunkedFraming() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            let body = #"{"ssn": "078-05-1120"}"#
            let chunk = String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n"
            let response = try await harness.rawTLS(
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n" + chunk + "0\r\nX-Checksum: 1\r\n\r\n"
            )
            #expect(response.hasPrefix("HTTP/1.1 200"), "\(response)")
            let record = try #require(harness.backend.records().last)
            #expect(record.values("transfer-encoding") == ["chunked"])
            #expect(record.complete)
            #expect(record.body?.contains("078-05-1120") == false)
        }
    }

    @Test("a held body whose pooled backend connection closes meanwhile goes on a fresh connection, not a 502")
    func heldBodySurvivesIdleClose() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            // The pooled connections these leave behind (one per event loop, as clients are spread over the loops) are
            // closed by the backend after 1 s of idleness.
            for _ in 1...4 {
                #expect(try await harness.curl("/v1/patients/idle-close?ms=1000", ["--http1.1"]).status == 200)
            }
            // A client that sends its head at once (sealgate takes the pooled connection) and its body 2 s later.
            let body = #"{"ssn": "078-05-1120"}"#
            let client = """
                import socket, ssl, sys, time
                context = ssl.create_default_context(cafile=sys.argv[1])
                context.load_cert_chain(sys.argv[2], sys.argv[3])
                with context.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[4]))), server_hostname="localhost") as tls:
                    tls.sendall(b"POST /v1/patients HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n"
                                b"Content-Length: \(body.utf8.count)\\r\\nConnection: close\\r\\n\\r\\n")
                    time.sleep(2)
                    tls.sendall(sys.argv[5].encode())
                    response = b""
                    while chunk := tls.recv(65536):
                        response += chunk
                    print(response.decode(errors="replace"))
                """
            let output = try await runProcess(
                "python3",
                [
                    "-c", client, harness.pki.caPath, harness.pki.certificatePath(.writer), harness.pki.keyPath(.writer),
                    String(harness.proxy.port), body,
                ],
                timeout: .seconds(20)
            )
            #expect(output.stdout.hasPrefix("HTTP/1.1 200"), "\(output.stdout) \(output.stderr)")
            let record = try #require(harness.backend.records().last)
            #expect(record.complete)
            #expect(record.body?.contains("sg1:pii:") == true)
            #expect(record.body?.contains("078-05-1120") == false)
        }
    }

    @Test("buffer: true sends the rewritten body with its Content-Length, however large")
    func bufferedBody() async throws {
        let configuration = Self.configuration.replacingOccurrences(
            of: "    decrypt_responses:",
            with: "    buffer: true\n    decrypt_responses:"
        )
        #expect(configuration.contains("buffer: true"))
        let ciphers = Locked<[String: FieldCipher]>([:])
        try await ProxyHarness.with(configuration: configuration, prepare: { ciphers.value = try await Self.makeKeys(in: $0) }) { harness in
            let file = harness.directory.appendingPathComponent("large.json")
            try Data(#"{"ssn": "078-05-1120", "note": "\#(String(repeating: "n", count: 200_000))"}"#.utf8).write(to: file)
            for http in ["--http1.1", "--http2"] {
                for body in [Self.document, "@\(file.path)"] {
                    let result = try await harness.curl(
                        "/v1/patients",
                        [http, "-H", "content-type: application/json", "--data-binary", body]
                    )
                    #expect(result.status == 200)
                    let seen = try #require(result.echoed)
                    #expect(seen.values("transfer-encoding").isEmpty)
                    #expect(seen.values("content-length") == [String(seen.body_length)])
                    #expect(seen.body?.contains("078-05-1120") == false)
                    #expect(seen.body?.contains("sg1:pii:") == true)
                }
            }
        }
    }
}

extension EndToEndTests.EncryptingRoutes {
    @Test("sealgate decrypt restores the document the backend stored, with the proxy's own config")
    func cliDecryptsStoredDocument() async throws {
        try await Self.withEncryptingProxy { harness, _ in
            let result = try await harness.curl(
                "/v1/patients/records/9",
                ["-H", "content-type: application/json", "--data-binary", Self.document]
            )
            #expect(result.status == 200)
            let stored = try #require(harness.backend.records().last?.body)
            #expect(!stored.contains("078-05-1120"))
            let decrypted = try await runProcess(
                TestEnvironment.sealgateBinary,
                ["decrypt", "--config", harness.directory.appendingPathComponent("sealgate.yaml").path, "--route", "/v1/patients"],
                input: Data(stored.utf8)
            )
            #expect(decrypted.status == 0, "\(decrypted.stderr)")
            #expect(decrypted.stdout == Self.document || decrypted.stdout == Self.document + "\n")
        }
    }
}
