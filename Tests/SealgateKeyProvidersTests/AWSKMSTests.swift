import Foundation
import SealgateTestSupport
import Testing

@testable import SealgateKeyProviders

@Suite("AWS Signature Version 4")
struct SigV4Tests {
    let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z, the time of AWS's published SigV4 test suite.
    let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    @Test("AWS's get-vanilla and post-vanilla examples sign as published")
    func publishedVectors() {
        let signer = SigV4(credentials: self.credentials, region: "us-east-1", service: "service")
        let host = [(name: "Host", value: "example.amazonaws.com")]
        let get = signer.signatureHeaders(method: "GET", path: "/", headers: host, body: [], date: self.suiteDate)
        #expect(get.map(\.name) == ["x-amz-date", "authorization"])
        #expect(get[0].value == "20150830T123600Z")
        #expect(
            get[1].value
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
        let post = signer.signatureHeaders(method: "POST", path: "/", headers: host, body: [], date: self.suiteDate)
        #expect(post[1].value.hasSuffix("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"))
    }

    /// Whether Python's botocore imports; under `CI=true` the test runs regardless, and fails without it.
    static let hasBotocore = TestEnvironment.isCI || TestEnvironment.pythonImports("botocore")

    @Test("a KMS request signs exactly as botocore signs it", .enabled(if: Self.hasBotocore, "needs Python botocore"))
    func matchesBotocore() async throws {
        var credentials = self.credentials
        credentials.sessionToken = "session-token-example"
        let signer = SigV4(credentials: credentials, region: "eu-west-1", service: "kms")
        let body = Array(#"{"KeyId":"alias/x","Plaintext":"AAEC"}"#.utf8)
        let date = Date(timeIntervalSince1970: 1_795_428_900)
        let headers = [
            (name: "host", value: "127.0.0.1:4566"),
            (name: "content-type", value: "application/x-amz-json-1.1"),
            (name: "x-amz-target", value: "TrentService.Encrypt"),
        ]
        let ours = signer.signatureHeaders(method: "POST", path: "/", headers: headers, body: body, date: date)
        #expect(ours.map(\.name) == ["x-amz-date", "x-amz-security-token", "authorization"])

        let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID().uuidString)")
        try Data(body).write(to: bodyFile)
        defer { try? FileManager.default.removeItem(at: bodyFile) }
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4_botocore.py").path, "http://127.0.0.1:4566/",
            "TrentService.Encrypt", bodyFile.path, SigV4.timestamps(date).0,
        ]
        process.standardOutput = output
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == ours[2].value)
    }

    @Test("credentials come from the environment, else from the profile of the shared credentials file")
    func standardCredentials() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("aws-credentials-\(UUID().uuidString)")
        try """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = secret-default

            # a comment
            [ops]
            aws_access_key_id=AKIDOPS
            aws_secret_access_key=secret-ops
            aws_session_token = token-ops
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromEnvironment = AWSCredentials.standard(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SHARED_CREDENTIALS_FILE": file.path])
        #expect(fromEnvironment == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "s"))
        #expect(AWSCredentials.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path])?.accessKeyID == "AKIDDEFAULT")
        let ops = AWSCredentials.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_PROFILE": "ops"])
        #expect(ops == AWSCredentials(accessKeyID: "AKIDOPS", secretAccessKey: "secret-ops", sessionToken: "token-ops"))
        #expect(AWSCredentials.standard(environment: ["AWS_SHARED_CREDENTIALS_FILE": file.path, "AWS_PROFILE": "none"]) == nil)
    }
}
