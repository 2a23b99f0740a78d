import Foundation
import SealgateTestSupport

/// A PKI, a recording backend and a running sealgate, wired together in a temporary directory.
final class ProxyHarness: @unchecked Sendable {
    // @unchecked: the members are set once in init; the processes they wrap are only signalled.
    let directory: URL
    let pki: TestPKI
    let backend: BackendProcess
    let proxy: ProxyProcess

    /// The sections every test configuration shares; `{BACKEND}` is replaced by the backend port.
    static let defaultConfiguration = """
        listen:
          address: 127.0.0.1:0
          tls: {certificate: server.pem, private_key: server-key.pem, client_ca: ca.pem}
        upstream: {url: "http://127.0.0.1:{BACKEND}", connect_timeout: 1s, timeout: 3s}
        authorization:
          allow:
            - uri: spiffe://example.org/ns/*/sa/writer
            - dns: reader.clinic.internal
        routes:
          - match: {path: /v1/patients, methods: [GET, POST, PUT]}
          - match: {path: /v1/clinic/**}
            allow: [{uri: spiffe://example.org/ns/clinic/sa/reader}]
        limits: {max_body: 1MiB, max_header: 8KiB, header_timeout: 1s, idle_timeout: 5s}
        shutdown_grace: 10s
        admin: {address: 127.0.0.1:0}
        """

    /// Runs `body` with a started harness and always stops the processes afterwards.
    /// - Parameters:
    ///   - environment: added to sealgate's environment.
    ///   - prepare: runs in the test directory before sealgate starts (to make a key vault, say).
    static func with<T>(
        configuration: String = ProxyHarness.defaultConfiguration,
        httpsBackend: Bool = false,
        waitForKeys: Bool = true,
        environment: [String: String] = [:],
        prepare: (URL) async throws -> Void = { _ in },
        _ body: (ProxyHarness) async throws -> T
    ) async throws -> T {
        let harness = try await ProxyHarness(
            configuration: configuration,
            httpsBackend: httpsBackend,
            waitForKeys: waitForKeys,
            environment: environment,
            prepare: prepare
        )
        do {
            let result = try await body(harness)
            await harness.shutdown()
            return result
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    /// Starts everything; `configuration` may use `{BACKEND}` for the backend's port. An HTTPS
    /// backend uses the server certificate and requires a client certificate from the test CA.
    private init(
        configuration: String,
        httpsBackend: Bool,
        waitForKeys: Bool,
        environment: [String: String],
        prepare: (URL) async throws -> Void
    ) async throws {
        self.directory = try TestEnvironment.makeTemporaryDirectory()
        self.pki = try TestPKI(in: self.directory)
        try await prepare(self.directory)
        let tls = httpsBackend ? (self.pki.serverCertificatePath, self.pki.serverKeyPath, self.pki.caPath) : nil
        self.backend = try await BackendProcess(in: self.directory, tls: tls)
        let text = configuration.replacingOccurrences(of: "{BACKEND}", with: String(self.backend.port))
        self.proxy = try await ProxyProcess(configuration: text, in: self.directory, waitForKeys: waitForKeys, environment: environment)
    }

    /// `https://localhost:<port><path>`
    func url(_ path: String) -> String { "https://localhost:\(self.proxy.port)\(path)" }

    /// Runs curl against the proxy as `client` (nil: no certificate).
    func curl(_ path: String, as client: TestPKI.Client? = .writer, _ arguments: [String] = []) async throws -> HTTPResult {
        var tls = ["--cacert", self.pki.caPath]
        if let client { tls += ["--cert", self.pki.certificatePath(client), "--key", self.pki.keyPath(client)] }
        return try await HTTPResult.curl(tls + arguments + [self.url(path)], in: self.directory)
    }

    /// Sends raw bytes over TLS with `openssl s_client` and returns what came back.
    func rawTLS(_ request: String, as client: TestPKI.Client = .writer, timeout: Duration = .seconds(15)) async throws -> String {
        let output = try await runProcess(
            "openssl",
            [
                "s_client", "-quiet", "-connect", "127.0.0.1:\(self.proxy.port)", "-servername", "localhost",
                "-CAfile", self.pki.caPath, "-cert", self.pki.certificatePath(client), "-key", self.pki.keyPath(client),
            ],
            input: Data(request.utf8),
            timeout: timeout
        )
        return output.stdout
    }

    /// Stops the processes and removes the directory.
    func shutdown() async {
        _ = try? await self.proxy.stop(signal: SIGKILL)
        await self.backend.stop()
        if ProcessInfo.processInfo.environment["SEALGATE_KEEP_TEST_FILES"] == nil {
            try? FileManager.default.removeItem(at: self.directory)
        }
    }
}

/// A response as curl saw it.
struct HTTPResult {
    var exitCode: Int32
    var status: Int
    var httpVersion: String
    var headers: [(String, String)]
    var body: Data
    var stderr: String

    var bodyText: String { String(decoding: self.body, as: UTF8.self) }

    /// The last value of a header, by case-insensitive name.
    func header(_ name: String) -> String? {
        self.headers.last { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body parsed as a JSON object.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] }

    /// What the backend saw, when the response is the backend's echo of the request.
    var echoed: BackendProcess.Record? { try? JSONDecoder().decode(BackendProcess.Record.self, from: self.body) }

    static func curl(_ arguments: [String], in directory: URL) async throws -> HTTPResult {
        let id = UUID().uuidString
        let bodyURL = directory.appendingPathComponent("curl-body-\(id)")
        let headersURL = directory.appendingPathComponent("curl-headers-\(id)")
        defer {
            try? FileManager.default.removeItem(at: bodyURL)
            try? FileManager.default.removeItem(at: headersURL)
        }
        let output = try await runProcess(
            "curl",
            ["-sS", "-o", bodyURL.path, "-D", headersURL.path, "-w", "%{http_code} %{http_version}"] + arguments
        )
        let parts = output.stdout.split(separator: " ")
        let headerText = (try? String(contentsOf: headersURL, encoding: .utf8)) ?? ""
        // With informational responses (100 Continue) several blocks are written; keep the last.
        let lastBlock = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        let headers = lastBlock.components(separatedBy: "\r\n").dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return HTTPResult(
            exitCode: output.status,
            status: parts.first.flatMap { Int($0) } ?? 0,
            httpVersion: parts.count > 1 ? String(parts[1]) : "",
            headers: headers,
            body: (try? Data(contentsOf: bodyURL)) ?? Data(),
            stderr: output.stderr
        )
    }
}
