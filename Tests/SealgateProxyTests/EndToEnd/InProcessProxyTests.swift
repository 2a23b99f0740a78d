import Foundation
import Logging
import NIOCore
import SealgateProxy
import ServiceLifecycle
import Testing
import SealgateTestSupport

/// The whole proxy run in-process through ``ProxyServices`` in a `ServiceGroup`, on port 0, against the real test
/// backend and curl: how it stops when the group shuts down or another service fails.
@Suite("In-process proxy (ProxyServices in a ServiceGroup)", .serialized, .requires("curl", "python3"))
struct InProcessProxyTests {
    /// A service that fails after a while, as a broken companion would.
    struct FailingService: Service {
        struct Failure: Error {}
        let after: Duration

        func run() async throws {
            try await Task.sleep(for: self.after)
            throw Failure()
        }
    }

    struct Setup {
        let directory: URL
        let pki: TestPKI
        let backend: BackendProcess
        let configuration: ProxyConfiguration

        init(shutdownGrace: Duration) async throws {
            self.directory = try TestEnvironment.makeTemporaryDirectory()
            self.pki = try TestPKI(in: self.directory)
            self.backend = try await BackendProcess(in: self.directory)
            self.configuration = ProxyConfiguration(
                listener: ListenerConfiguration(
                    address: SocketAddressConfiguration(host: "127.0.0.1", port: 0),
                    tls: .init(certificatePath: self.pki.serverCertificatePath, privateKeyPath: self.pki.serverKeyPath, clientCAPath: self.pki.caPath)
                ),
                upstream: UpstreamConfiguration(host: "127.0.0.1", port: self.backend.port, timeout: .seconds(60)),
                shutdownGrace: shutdownGrace,
                accessLog: false
            )
        }

        /// A request the backend answers only after a minute.
        func hangingRequest(port: Int) async throws -> HTTPResult {
            let tls = ["--cacert", self.pki.caPath, "--cert", self.pki.certificatePath(.writer), "--key", self.pki.keyPath(.writer)]
            return try await HTTPResult.curl(tls + ["--max-time", "20", "https://localhost:\(port)/slow?ms=60000"], in: self.directory)
        }

        func stop() async {
            await self.backend.stop()
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func port(of services: ProxyServices) async throws -> Int {
        for _ in 0..<200 {
            if let port = services.proxy.localAddress?.port { return port }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestFailure("the proxy did not start listening")
    }

    @Test("another service failing stops the proxy at once, cutting a request the backend holds")
    func cancelledByFailingService() async throws {
        let setup = try await Setup(shutdownGrace: .seconds(20))
        let services = try ProxyServices(configuration: setup.configuration, logger: Self.logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: FailingService(after: .seconds(1)))] + services.services, logger: Self.logger)
        )
        async let run: Void = group.run()
        let port = try await Self.port(of: services)
        async let hanging = setup.hangingRequest(port: port)
        var failure: (any Error)?
        do {
            try await run
        } catch {
            failure = error
        }
        let stopped = ContinuousClock.now
        #expect(failure is FailingService.Failure)
        let cut = try await hanging
        #expect(cut.status == 0)
        #expect(cut.exitCode != 0)
        // Stopped long before the 20 s grace, and the client learned at once.
        #expect(ContinuousClock.now - stopped < .seconds(2))
        await setup.stop()
    }

    @Test("a graceful shutdown of the group ends within shutdown_grace + 2 s with a request still on the backend")
    func gracefulShutdownOfTheGroup() async throws {
        let setup = try await Setup(shutdownGrace: .seconds(1))
        let services = try ProxyServices(configuration: setup.configuration, logger: Self.logger)
        let group = ServiceGroup(configuration: .init(services: services.services, logger: Self.logger))
        async let run: Void = group.run()
        let port = try await Self.port(of: services)
        async let hanging = setup.hangingRequest(port: port)
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await run
        let took = ContinuousClock.now - started
        #expect(took >= .seconds(1))
        #expect(took < .seconds(3))
        #expect(services.readiness.blockingReasons.contains("shutting_down"))
        let cut = try await hanging
        #expect(cut.exitCode != 0)
        await setup.stop()
    }
}
