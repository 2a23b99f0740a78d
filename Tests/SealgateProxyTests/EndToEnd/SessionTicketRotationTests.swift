import Foundation
import SealgateTestSupport
import Logging
import SealgateProxy
import ServiceLifecycle
import Testing

/// DESIGN.md "Lifecycle and trust rules": session ticket keys rotate at least hourly. The proxy runs in-process
/// (``ProxyServices``) so that the test can give it a rotation interval of a second; openssl s_client saves a
/// session and tries to resume it.
@Suite("Session ticket key rotation", .serialized, .requires("curl", "openssl", "python3"))
struct SessionTicketRotationTests {
    /// Runs the proxy with `rotation`, saves a session and tries to resume it after `wait`; returns openssl's output.
    static func resume(rotation: Duration, after wait: Duration) async throws -> String {
        let setup = try await InProcessProxyTests.Setup(shutdownGrace: .seconds(1))
        let services = try ProxyServices(
            configuration: setup.configuration,
            ticketKeyRotation: rotation,
            logger: InProcessProxyTests.logger
        )
        let group = ServiceGroup(configuration: .init(services: services.services, logger: InProcessProxyTests.logger))
        async let run: Void = group.run()
        let port = try await InProcessProxyTests.port(of: services)
        let session = setup.directory.appendingPathComponent("s.pem").path
        let first = try await Self.sClient(setup, port: port, session: ["-sess_out", session])
        try await Task.sleep(for: wait)
        let second = try await Self.sClient(setup, port: port, session: ["-sess_in", session])
        await group.triggerGracefulShutdown()
        try await run
        await setup.stop()
        #expect(first.contains("HTTP/1.1 200"), "\(first)")
        #expect(second.contains("HTTP/1.1 200"), "\(second)")
        return second
    }

    static func sClient(_ setup: InProcessProxyTests.Setup, port: Int, session: [String]) async throws -> String {
        let arguments =
            [
                "s_client", "-ign_eof", "-connect", "127.0.0.1:\(port)", "-servername", "localhost",
                "-CAfile", setup.pki.caPath, "-cert", setup.pki.certificatePath(.writer), "-key", setup.pki.keyPath(.writer),
            ] + session
        let request = "GET /v1/patients HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        return try await runProcess("openssl", arguments, input: Data(request.utf8), timeout: .seconds(15)).stdout
    }

    @Test("without a rotation in between, a saved session resumes")
    func resumesWithinRotation() async throws {
        let output = try await Self.resume(rotation: .seconds(3600), after: .seconds(3))
        #expect(output.contains("Reused, TLSv1.3"), "\(output)")
    }

    @Test("a ticket issued before a rotation no longer resumes: a full handshake follows")
    func rotatedTicketDoesNotResume() async throws {
        let output = try await Self.resume(rotation: .seconds(1), after: .seconds(3))
        #expect(output.contains("New, TLSv1.3"), "\(output)")
        #expect(!output.contains("Reused"), "\(output)")
    }
}
