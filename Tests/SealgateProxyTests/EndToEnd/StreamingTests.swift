import Foundation
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Streaming, memory and shutdown")
    struct Streaming {
        static let largeConfiguration = ProxyHarness.defaultConfiguration.replacingOccurrences(
            of: "max_body: 1MiB",
            with: "max_body: 2GiB"
        ).replacingOccurrences(of: "timeout: 3s}", with: "timeout: 60s}")

        @Test("512 MiB uploads and downloads stream through with bounded memory")
        func largeBodiesStream() async throws {
            try await ProxyHarness.with(configuration: Self.largeConfiguration) { harness in
                let size = 512 << 20
                let file = harness.directory.appendingPathComponent("large")
                _ = FileManager.default.createFile(atPath: file.path, contents: nil)
                let handle = try FileHandle(forWritingTo: file)
                try handle.truncate(atOffset: UInt64(size))
                try handle.close()
                let baseline = try #require(harness.proxy.residentKiB(peak: false))

                let upload = try await harness.curl("/upload", ["--http1.1", "--data-binary", "@\(file.path)"])
                #expect(upload.status == 200)
                #expect(upload.echoed?.body_length == size)
                #expect(upload.echoed?.complete == true)

                let download = try await runProcess(
                    "curl",
                    [
                        "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "--cacert", harness.pki.caPath,
                        "--cert", harness.pki.certificatePath(.writer), "--key", harness.pki.keyPath(.writer),
                        harness.url("/download?bytes=\(size)"),
                    ]
                )
                #expect(download.stdout == "200 \(size)")

                // HTTP/2 uploads are slower with curl 7.88 (flow control round trips), so a smaller one.
                let h2Size = 64 << 20
                let h2File = harness.directory.appendingPathComponent("h2")
                _ = FileManager.default.createFile(atPath: h2File.path, contents: nil)
                let h2Handle = try FileHandle(forWritingTo: h2File)
                try h2Handle.truncate(atOffset: UInt64(h2Size))
                try h2Handle.close()
                let h2Upload = try await harness.curl("/upload", ["--http2", "--data-binary", "@\(h2File.path)"])
                #expect(h2Upload.status == 200)
                #expect(h2Upload.echoed?.body_length == h2Size)

                let peak = try #require(harness.proxy.residentKiB(peak: true))
                // Buffering even a fraction of 512 MiB would show; a few chunks per side do not.
                #expect(peak - baseline < 64 << 10, "peak RSS grew by \(peak - baseline) KiB over \(baseline) KiB")
            }
        }

        @Test("SIGTERM lets an in-flight request finish, then sealgate exits 0", arguments: ["--http1.1", "--http2"])
        func gracefulShutdown(version: String) async throws {
            try await ProxyHarness.with { harness in
                async let inFlight = harness.curl("/slow?ms=1500", [version])
                try await Task.sleep(for: .milliseconds(400))
                let status = try await harness.proxy.stop(signal: SIGTERM)
                let result = try await inFlight
                #expect(result.status == 200)
                #expect(status == 0)
                let messages = harness.proxy.logEntries().compactMap { $0["msg"] }
                #expect(messages.contains("all connections finished"))
            }
        }
    }
}

extension EndToEndTests.Streaming {
    @Test(
        "a listen or admin address in use stops sealgate with a JSON line naming the listener, before anything serves",
        arguments: ["listen", "admin"]
    )
    func bindFailure(listener: String) async throws {
        try await ProxyHarness.with { harness in
            let base = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "{BACKEND}", with: String(harness.backend.port))
            let taken =
                listener == "listen"
                ? base.replacingOccurrences(of: "address: 127.0.0.1:0\n", with: "address: 127.0.0.1:\(harness.proxy.port)\n")
                : base.replacingOccurrences(of: "admin: {address: 127.0.0.1:0}", with: "admin: {address: 127.0.0.1:\(harness.proxy.adminPort ?? 0)}")
            #expect(taken != base)
            let directory = harness.directory.appendingPathComponent("second")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for file in ["server.pem", "server-key.pem", "ca.pem"] {
                try FileManager.default.copyItem(at: harness.directory.appendingPathComponent(file), to: directory.appendingPathComponent(file))
            }
            let error = await #expect(throws: TestFailure.self) {
                try await ProxyProcess(configuration: taken, in: directory)
            }
            #expect(error?.description.contains("exited with 1") == true, "\(error?.description ?? "")")
            let lines = try String(contentsOf: directory.appendingPathComponent("sealgate.log"), encoding: .utf8)
                .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let failure = try #require(lines.first { $0["msg"] as? String == "cannot listen" })
            #expect(failure["level"] as? String == "critical")
            #expect(failure["listener"] as? String == "\(listener).address")
            let port = listener == "listen" ? harness.proxy.port : harness.proxy.adminPort ?? 0
            #expect(failure["address"] as? String == "127.0.0.1:\(port)")
            #expect(failure["reason"] as? String == "Address already in use")
            // Nothing listened or started: the line is the whole story.
            #expect(!lines.contains { ["listening", "admin listening"].contains($0["msg"] as? String) })
        }
    }
}
