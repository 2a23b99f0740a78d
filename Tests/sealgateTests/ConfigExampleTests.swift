import Foundation
import SealgateCertificates
import SealgateCrypto
import SealgateProxy
import Testing
import Yams

@testable import sealgate

/// Every sealgate configuration shipped in the repository must load with `ConfigFile.load` as it stands:
/// the annotated examples under `config/` and the complete configurations in README.md. The files they
/// name (certificates, keys, the KEK) are created in a temporary sandbox laid out like the repository.
@Suite("Configuration examples in the repository")
struct ConfigExampleTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The sealgate configurations under `config/`: YAML files whose top level has `listen`
    /// (Kubernetes manifests and other YAML files there are not sealgate configurations).
    static let configExamples: [String] = {
        let config = ConfigExampleTests.root.appendingPathComponent("config")
        guard let files = FileManager.default.enumerator(atPath: config.path) else { return [] }
        return files.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .filter { file in
                let text = (try? String(contentsOf: config.appendingPathComponent(file), encoding: .utf8)) ?? ""
                let documents = (try? Yams.compose_all(yaml: text)).map(Array.init) ?? []
                return documents.count == 1 && documents[0]["listen"] != nil
            }
            .map { "config/\($0)" }.sorted()
    }()

    /// The fenced ```yaml blocks of README.md whose first line that is not a comment starts with `listen:`:
    /// those present themselves as whole configurations, so they must load.
    static let readmeConfigurations: [ReadmeBlock] = {
        let text = (try? String(contentsOf: ConfigExampleTests.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        return ReadmeBlock.yamlBlocks(in: text).filter { block in
            let first = block.text.split(separator: "\n").first { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("#")
            }
            return first?.hasPrefix("listen:") ?? false
        }
    }()

    @Test("the examples under config/ are found, the known ones included")
    func examplesAreFound() {
        #expect(Set(Self.configExamples).isSuperset(of: ["config/sealgate.yaml", "config/kubernetes/sealgate.yaml"]))
    }

    @Test("each example under config/ loads, given the certificates and keys it names", arguments: Self.configExamples)
    func configExampleLoads(_ example: String) throws {
        let sandbox = try Sandbox()
        let text = try String(contentsOf: Self.root.appendingPathComponent(example), encoding: .utf8)
        let loaded = try sandbox.load(text, at: example)
        #expect(loaded.warnings.isEmpty, "\(example): \(loaded.warnings)")
        #expect(!loaded.proxy.routes.isEmpty, "\(example) has no routes")
        #expect(loaded.proxy.routes.contains { !$0.encrypt.isEmpty }, "\(example) encrypts no field")
    }

    @Test("the annotated example names the expected files")
    func annotatedExample() throws {
        let sandbox = try Sandbox()
        let text = try String(contentsOf: Self.root.appendingPathComponent("config/sealgate.yaml"), encoding: .utf8)
        let configuration = try sandbox.load(text, at: "config/sealgate.yaml")
        #expect(configuration.proxy.routes.count == 2)
        #expect(configuration.proxy.routes[0].encrypt.count == 3)
        #expect(configuration.keys?.kek == .local(path: sandbox.directory.appendingPathComponent("keys/kek.json").path))
    }

    @Test("the Kubernetes example uses the paths its Deployment mounts")
    func kubernetesExample() throws {
        let sandbox = try Sandbox()
        let example = "config/kubernetes/sealgate.yaml"
        let text = try String(contentsOf: Self.root.appendingPathComponent(example), encoding: .utf8)
        let configuration = try sandbox.load(text, at: example)
        // deployment.yaml mounts the config at /etc/sealgate/sealgate.yaml and the Secrets below /etc/sealgate.
        let mounted = sandbox.directory.appendingPathComponent("config/kubernetes")
        #expect(configuration.proxy.listener.tls.certificatePath == mounted.appendingPathComponent("tls/tls.crt").path)
        #expect(configuration.proxy.listener.tls.privateKeyPath == mounted.appendingPathComponent("tls/tls.key").path)
        #expect(configuration.proxy.listener.tls.clientCAPath == mounted.appendingPathComponent("tls/ca.crt").path)
        #expect(configuration.keys?.vaultPath == mounted.appendingPathComponent("keys").path)
        #expect(configuration.keys?.kek == .local(path: mounted.appendingPathComponent("kek/kek.json").path))
        #expect(configuration.proxy.admin?.port == 9901)
        #expect(configuration.proxy.upstream.host == "127.0.0.1" && configuration.proxy.upstream.port == 8080)
        let deployment = try String(
            contentsOf: Self.root.appendingPathComponent("config/kubernetes/deployment.yaml"),
            encoding: .utf8
        )
        for mount in ["/etc/sealgate/sealgate.yaml", "/etc/sealgate/tls", "/etc/sealgate/keys", "/etc/sealgate/kek"] {
            #expect(deployment.contains("mountPath: \(mount),"), "deployment.yaml does not mount \(mount)")
        }
        #expect(deployment.contains("terminationGracePeriodSeconds: 40"))
        #expect(configuration.proxy.shutdownGrace < .seconds(40))
    }

    @Test("the Kubernetes Deployment runs sealgate as a native sidecar, ordered without preStop pauses; the legacy one as a container")
    func nativeSidecar() throws {
        func podSpec(_ file: String) throws -> [String: Any] {
            let text = try String(contentsOf: Self.root.appendingPathComponent("config/kubernetes/\(file)"), encoding: .utf8)
            let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
            let deployment = try #require(documents.first { $0["kind"] as? String == "Deployment" })
            let template = try #require((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])
            return try #require(template["spec"] as? [String: Any])
        }
        func names(_ containers: Any?) -> [String] { (containers as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }

        let native = try podSpec("deployment.yaml")
        #expect(names(native["initContainers"]) == ["kek", "sealgate"])
        #expect(names(native["containers"]) == ["backend"])
        let sidecar = try #require((native["initContainers"] as? [[String: Any]])?.first { $0["name"] as? String == "sealgate" })
        #expect(sidecar["restartPolicy"] as? String == "Always")
        #expect(sidecar["startupProbe"] != nil && sidecar["readinessProbe"] != nil)
        let everyContainer = (native["initContainers"] as? [[String: Any]] ?? []) + (native["containers"] as? [[String: Any]] ?? [])
        #expect(!everyContainer.contains { $0["lifecycle"] != nil }, "no preStop pauses in the native Deployment")

        let legacy = try podSpec("deployment-legacy.yaml")
        #expect(names(legacy["initContainers"]) == ["kek"])
        #expect(names(legacy["containers"]) == ["backend", "sealgate"])
        #expect(legacy["terminationGracePeriodSeconds"] as? Int == native["terminationGracePeriodSeconds"] as? Int)
    }

    @Test("README.md shows at least one whole configuration")
    func readmeHasConfigurations() {
        #expect(!Self.readmeConfigurations.isEmpty)
    }

    @Test("each whole configuration in README.md loads, given the files it names", arguments: Self.readmeConfigurations)
    func readmeConfigurationLoads(_ block: ReadmeBlock) throws {
        let sandbox = try Sandbox()
        let loaded = try sandbox.load(block.text, at: "readme/sealgate.yaml")
        #expect(loaded.warnings.isEmpty, "README.md line \(block.line): \(loaded.warnings)")
    }

    @Test("a configuration is refused when a file it names is missing: the sandbox is what makes them load")
    func missingFilesAreRefused() throws {
        let sandbox = try Sandbox()
        let example = try #require(Self.readmeConfigurations.first)
        let path = sandbox.directory.appendingPathComponent("bare/sealgate.yaml")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try example.text.write(to: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigErrors.self) { try ConfigFile.load(path: path.path) }
    }

    @Test("the README check sees a broken configuration as broken")
    func brokenConfigurationIsRefused() throws {
        let sandbox = try Sandbox()
        let example = try #require(Self.readmeConfigurations.first)
        let misspelt = example.text.replacingOccurrences(of: "shutdown_grace:", with: "shutdown_grce:")
        #expect(misspelt != example.text)
        let path = try sandbox.place(misspelt, at: "broken/sealgate.yaml")
        #expect(throws: ConfigErrors.self) { try ConfigFile.load(path: path) }
    }
}

/// A fenced code block of README.md.
struct ReadmeBlock: Sendable, CustomTestStringConvertible {
    /// The line of README.md where the block's text starts.
    var line: Int
    var text: String

    var testDescription: String { "README.md line \(self.line)" }

    /// The ```yaml blocks of a Markdown text, with the fence's indentation removed.
    static func yamlBlocks(in markdown: String) -> [ReadmeBlock] {
        var blocks: [ReadmeBlock] = []
        var fence: (yaml: Bool, line: Int, indent: Int, lines: [String])?
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            guard let open = fence else {
                if trimmed.hasPrefix("```") { fence = (trimmed == "```yaml", index + 2, indent, []) }
                continue
            }
            if trimmed.hasPrefix("```") {
                if open.yaml { blocks.append(ReadmeBlock(line: open.line, text: open.lines.joined(separator: "\n") + "\n")) }
                fence = nil
            } else {
                fence?.lines.append(String(line.dropFirst(min(open.indent, indent))))
            }
        }
        return blocks
    }
}

/// A temporary directory laid out like the repository, where a configuration is written together
/// with a development PKI and a KEK at the paths it names.
final class Sandbox {
    let directory: URL

    init() throws {
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sealgate-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Writes `text` to `relativePath` in the sandbox, creates the files it names, and loads it.
    /// - Throws: ``ConfigErrors`` (recorded as a test failure with every problem) if it does not load.
    func load(_ text: String, at relativePath: String) throws -> SealgateConfiguration {
        let file = try self.place(text, at: relativePath)
        do {
            return try ConfigFile.load(path: file)
        } catch {
            Issue.record("\(relativePath) does not load:\n\(error.description)")
            throw error
        }
    }

    /// Writes `text` to `relativePath` in the sandbox and creates the files it names.
    /// - Returns: the configuration file's path.
    /// - Throws: a test failure if it names a file outside the sandbox (an absolute path or one above
    ///   the repository), which no test can create.
    func place(_ text: String, at relativePath: String) throws -> String {
        let file = self.directory.appendingPathComponent(relativePath)
        let base = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try self.createNamedFiles(of: try #require(try Yams.compose(yaml: text)), relativeTo: base)
        return file.path
    }

    private func createNamedFiles(of root: Node, relativeTo base: URL) throws {
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "Example CA", notBefore: now - 60, notAfter: now + 86400)
        let server = try DevelopmentPKI.issue(
            by: ca, commonName: "localhost", usage: .server, dnsNames: ["localhost"], notBefore: now - 60, notAfter: now + 86400
        )
        let client = try DevelopmentPKI.issue(
            by: ca, commonName: "sealgate", usage: .client, notBefore: now - 60, notAfter: now + 86400
        )
        let tls = root["listen"]?["tls"]
        let upstream = root["upstream"]?["tls"]
        let files: [(Node?, String)] = [
            (tls?["certificate"], try server.certificatePEM),
            (tls?["private_key"], server.privateKeyPEM),
            (tls?["client_ca"], try ca.certificatePEM),
            (upstream?["ca"], try ca.certificatePEM),
            (upstream?["certificate"], try client.certificatePEM),
            (upstream?["private_key"], client.privateKeyPEM),
        ]
        for case let (node?, contents) in files {
            let path = try self.resolve(node, relativeTo: base)
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: path, atomically: true, encoding: .utf8)
        }
        if let vault = root["keys"]?["vault"] {
            try FileManager.default.createDirectory(at: try self.resolve(vault, relativeTo: base), withIntermediateDirectories: true)
        }
        if let kek = root["keys"]?["kek"]?["path"] {
            let path = try self.resolve(kek, relativeTo: base)
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = try LocalKeyEncryptionKey.create(at: path.path)
        }
    }

    private func resolve(_ node: Node, relativeTo base: URL) throws -> URL {
        let text = try #require(node.string, "a path that is not a string at line \(node.mark?.line ?? 0)")
        let url = base.appendingPathComponent(text).standardizedFileURL
        try #require(
            !text.hasPrefix("/") && url.path.hasPrefix(self.directory.standardizedFileURL.path + "/"),
            "\(text) is outside the repository: examples use paths relative to their configuration file"
        )
        return url
    }
}
