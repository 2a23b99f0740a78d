import Foundation
import SealgateCrypto
import Testing

/// `sealgate encrypt` and `sealgate decrypt`, run through the built binary.
@Suite struct FieldCommandsTests {
    @Test func roundTripRestoresTheDocument() async throws {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration() + ["--route", "/v1/patients/7"]
        let document = #"{"name":"Ann","ssn":"123-45-6789","email":"ann@example.com","dob":{"d":1,"y":1990},"n":[1.5,true]}"#
        let encrypted = try await sandbox.succeed(["encrypt"] + config, input: document).stdout
        #expect(!encrypted.contains("123-45-6789") && !encrypted.contains("ann@example.com") && !encrypted.contains("1990"))
        #expect(try tokens(in: encrypted, at: KeysSandbox.patientRules).map(\.keyName) == ["pii", "search", "pii"])
        #expect(encrypted.hasPrefix(#"{"name":"Ann","ssn":"sg1:pii:"#) && encrypted.hasSuffix(#","n":[1.5,true]}"#))
        let decrypted = try await sandbox.succeed(["decrypt"] + config, input: encrypted)
        #expect(decrypted.stdout == document)
        #expect(decrypted.stderr.isEmpty)

        let spaced = "{ \"ssn\" : \"1\\u0032\", \"dob\": 1.0 }\n"
        let restored = try await sandbox.succeed(
            ["decrypt"] + config,
            input: try await sandbox.succeed(["encrypt"] + config, input: spaced).stdout
        )
        #expect(restored.stdout == "{ \"ssn\" : \"12\", \"dob\": 1 }\n")
    }

    @Test func ndjsonLinesAreRewrittenOneByOne() async throws {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration() + ["--route", "/v1/patients", "--ndjson"]
        let input = patientLines(3).joined(separator: "\n") + "\n\n" + #"{"ssn":"last"}"#
        let encrypted = try await sandbox.succeed(["encrypt"] + config, input: input).stdout
        let lines = encrypted.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[3].isEmpty)
        #expect(try tokens(in: lines[1], at: KeysSandbox.patientRules).count == 3)
        #expect(try await sandbox.succeed(["decrypt"] + config, input: encrypted).stdout == input)

        let broken = try await sandbox.run(["encrypt"] + config, input: patientLines(1)[0] + "\n{\"ssn\":\n")
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("line 2: ") && broken.stderr.contains("byte offset"))
        #expect(!broken.stderr.contains("truncated:") && !broken.stderr.contains("invalidJSON:"), "\(broken.stderr)")
    }

    @Test func tokensAreIdempotentAndBoundToTheirRule() async throws {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration() + ["--route", "/v1/patients"]
        let encrypted = try await sandbox.succeed(["encrypt"] + config, input: #"{"ssn":"123-45-6789","dob":"x"}"#)
        #expect(try await sandbox.succeed(["encrypt"] + config, input: encrypted.stdout).stdout == encrypted.stdout)

        let ssnToken = try #require(try tokens(in: encrypted.stdout, at: ["$.ssn"]).first).description
        let moved = try await sandbox.run(["encrypt"] + config, input: #"{"dob":"\#(ssnToken)"}"#)
        #expect(moved.status == 1)
        #expect(moved.stderr.contains("at byte 7 under rule $.dob is not an authentic token of that rule"))
        #expect(!moved.stderr.contains(ssnToken) && moved.stdout.isEmpty)
        let forged = try await sandbox.run(["encrypt"] + config, input: #"{"ssn":"sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)
        #expect(forged.status == 1)
        #expect(forged.stderr.contains("under rule $.ssn is not an authentic token"))

        let kept = try await sandbox.succeed(["decrypt"] + config, input: #"{"dob":"\#(ssnToken)","ssn":"plain"}"#)
        #expect(kept.stdout == #"{"dob":"\#(ssnToken)","ssn":"plain"}"#)
        #expect(kept.stderr.contains("1 tokens at rule paths did not decrypt and were kept"))
    }

    @Test func errorsExitWithTheirStatus() async throws {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration()
        let noRoute = try await sandbox.run(["encrypt"] + config + ["--route", "/v2/other"], input: "{}")
        #expect(noRoute.status == 2)
        #expect(noRoute.stderr.contains("no route of \(sandbox.path("sealgate.yaml")) matches /v2/other"))
        let noRules = try await sandbox.run(["decrypt"] + config + ["--route", "/v1/plain/x"], input: "{}")
        #expect(noRules.status == 2)
        #expect(noRules.stderr.contains("route /v1/plain"))
        #expect(noRules.stderr.contains("has no encrypt rules"))
        let noConfig = try await sandbox.run(["encrypt", "--config", sandbox.path("absent.yaml"), "--route", "/"])
        #expect(noConfig.status == 2)
        let relative = try await sandbox.run(["encrypt"] + config + ["--route", "v1/patients"], input: "{}")
        #expect(relative.status != 0)

        let patients = config + ["--route", "/v1/patients"]
        let invalid = try await sandbox.run(["encrypt"] + patients, input: #"{"ssn": "a" "b"}"#)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("at byte offset 12") && invalid.stdout.isEmpty)
        let inexact = try await sandbox.run(["encrypt"] + patients, input: #"{"ssn": 12345678901234567890123}"#)
        #expect(inexact.status == 1)
        #expect(inexact.stderr.contains("(rule $.ssn)") && !inexact.stderr.contains("12345678901234567890123"))
        let empty = try await sandbox.run(["encrypt"] + patients, input: " \n")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("holds no JSON document"))
        let truncated = try await sandbox.run(["encrypt"] + patients, input: #"{"ssn": "a""#)
        #expect(truncated.status == 1)
        // Readable text, not the library's internal code names such as `numberNotExact:` or `truncated:`.
        for outcome in [invalid, inexact, truncated] {
            #expect(outcome.stderr.hasPrefix("error: "), "\(outcome.stderr)")
            for name in ["invalidJSON", "numberNotExact", "truncated:", "invalidUTF8"] {
                #expect(!outcome.stderr.contains(name), "\(outcome.stderr)")
            }
        }
    }
}
