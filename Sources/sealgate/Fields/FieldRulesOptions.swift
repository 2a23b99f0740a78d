import ArgumentParser
import SealgateProxy

/// `--config FILE --route PATH`: the field rules of the route that a request path matches, with their keys.
struct FieldRulesOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("The configuration file; its keys section and routes are used.", valueName: "file")
    )
    var config: String

    @Option(
        help: ArgumentHelp(
            "A request path: the rules of the first route that matches it apply, as in the proxy.",
            valueName: "path"
        )
    )
    var route: String

    @Option(
        help: ArgumentHelp(
            "Resolve per-tenant key templates ({uri:N}) as for a client with this URI SAN (not needed to re-encrypt).",
            valueName: "uri"
        )
    )
    var identityURI: String?

    func validate() throws {
        guard route.hasPrefix("/") else { throw ValidationError("--route takes a request path starting with '/'") }
    }

    /// The rewriter of the matching route's rules, with their keys unwrapped from the vault.
    /// - Throws: ``ConfigErrors``, or ``CommandFailure`` (exit 2) if no route matches or the route has no
    ///   encrypt rules, or (exit 1) if the keys cannot be loaded.
    func rewriter(mode: FieldRewriter.Mode) async throws -> FieldRewriter {
        let (settings, match) = try Self.ruleRoute(matching: route, in: config)
        let keys: FieldKeys
        do {
            keys = try await FieldKeys.load(rulesKeys: Set(match.encrypt.map(\.key)), from: settings)
        } catch {
            throw CommandFailure("the keys of route \(match.name) cannot be loaded: \(ErrorText.describe(error))")
        }
        do {
            return try FieldRewriter(rules: match.fieldRules, keys: keys, mode: mode, identityURIs: identityURI.map { [$0] } ?? [])
        } catch .noKeyForIdentity(let template, _) where identityURI == nil {
            throw CommandFailure(
                "route \(match.name) encrypts with per-tenant keys (\(template)): pass --identity-uri URI, the client's URI SAN",
                exitCode: ExitCode(2)
            )
        } catch {
            throw CommandFailure("route \(match.name): \(error)")
        }
    }

    /// The first route of a configuration file that matches a request path, and the file's keys section.
    /// - Throws: ``ConfigErrors``, or ``CommandFailure`` (exit 2) if no route matches or the route has no
    ///   encrypt rules.
    static func ruleRoute(
        matching route: String,
        in config: String
    ) throws -> (keys: SealgateConfiguration.KeysSettings, route: RouteConfiguration) {
        let (settings, routes) = try ConfigFile.loadRoutes(path: config)
        guard let match = routes.first(where: { $0.path.matches(path: route[...]) }) else {
            throw CommandFailure("no route of \(config) matches \(route)", exitCode: ExitCode(2))
        }
        guard !match.encrypt.isEmpty else {
            throw CommandFailure(
                "route \(match.name) of \(config), which matches \(route), has no encrypt rules",
                exitCode: ExitCode(2)
            )
        }
        return (settings, match)
    }
}
