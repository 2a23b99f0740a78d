import NIOCore
import NIOHTTP1
import SealgateCertificates

/// Decides what happens to a request head: refused with a ``Problem``, or forwarded with a
/// rewritten head. Pure: no I/O, so every rule of DESIGN.md's "Routes and requests" is testable alone.
///
/// A class, so that the handlers of every connection reach it without copying the configuration it holds.
final class RequestPlanner: Sendable {
    let configuration: ProxyConfiguration
    let router: Router
    /// The identity header in lower case, and its underscore spelling.
    private let identityHeaderNames: Set<String>

    init(configuration: ProxyConfiguration) {
        self.configuration = configuration
        self.router = Router(routes: configuration.routes)
        self.identityHeaderNames = [Self.canonicalName(configuration.identityHeader)]
    }

    /// A header name in lower case with `_` read as `-`, so that every spelling of a name compares equal.
    private static func canonicalName(_ name: String) -> String {
        let lower = name.lowercased()
        // Most names have no `_`: they are returned as they are, without building another string.
        guard lower.utf8.contains(UInt8(ascii: "_")) else { return lower }
        return String(lower.map { $0 == "_" ? "-" : $0 })
    }

    /// A rewritten request body that ends within this many bytes goes upstream in one piece with a Content-Length;
    /// a longer one streams chunked (unless the route says `buffer: true`).
    static let maximumHeldBody = 64 << 10

    /// Headers a client's `Connection` option can never remove: framing and routing are sealgate's.
    private static let protectedHeaders: Set<String> = ["content-length", "transfer-encoding", "host"]

    /// How the body of a request is framed.
    enum BodyFraming: Equatable {
        /// No body (HTTP/1 without Content-Length or Transfer-Encoding).
        case none
        /// A Content-Length body.
        case length(Int)
        /// A chunked HTTP/1 body, or an HTTP/2 body of unknown length.
        case streamed
    }

    /// A request accepted for forwarding.
    struct Plan {
        /// The head for the backend, without framing fields (see ``upstreamFraming``).
        var upstreamHead: HTTPRequestHead
        var route: RouteConfiguration?
        var framing: BodyFraming
        /// How the body is framed towards the backend.
        var upstreamFraming: UpstreamFraming
        var keepAlive: Bool
        /// The request body is rewritten by the route's encrypt rules.
        var encryptsBody = false
        /// An HTTP/2 body of unknown length that must be refused if a byte of it arrives.
        var refusalIfBodyArrives: Problem?
        /// The client may read the route's fields decrypted.
        var decryptsResponse = false
    }

    /// Plans a request.
    /// - Parameters:
    ///   - head: the request head as decoded from HTTP/1.1 or HTTP/2.
    ///   - client: the verified client of the connection.
    ///   - requestID: the request id to forward.
    func plan(_ head: HTTPRequestHead, client: ClientConnection, requestID: String) throws(Problem) -> Plan {
        let isHTTP2 = head.version.major == 2
        // HTTP/1.1 heads over the limit never get here (the decoder refuses them); HTTP/2 heads are
        // measured as HPACK does (RFC 9113 §6.5.2: 32 bytes of overhead per field).
        if isHTTP2, head.headers.reduce(head.uri.utf8.count, { $0 + $1.name.utf8.count + $1.value.utf8.count + 32 })
            > self.configuration.limits.maxHeader
        {
            throw Problem.headerTooLarge
        }
        let framing = try self.framing(of: head, isHTTP2: isHTTP2)
        if head.method == .CONNECT { throw Problem.notImplementedTunnel }
        // The backend encoder sends TRACE without framing headers, so a body would be read as a
        // second request; TRACE also reflects headers back. It is not forwarded.
        if head.method == .TRACE { throw Problem.traceNotForwarded }
        let target: RequestTarget
        do {
            target = try RequestTarget(head.uri)
        } catch {
            throw Problem.badRequest("invalid_path", Self.explain(error))
        }
        let route = self.router.route(for: target.path)
        guard self.configuration.authorization.permits(client.identity) else {
            throw Problem.forbidden("the client identity is not allowed to use this service")
        }
        if let route {
            if let methods = route.methods, !methods.contains(head.method.rawValue) {
                throw Problem.methodNotAllowed(allowed: methods)
            }
            if let policy = route.authorization, !policy.permits(client.identity) {
                throw Problem.forbidden("the client identity is not allowed to use \(route.name)")
            }
            if route.hasFieldRules, head.headers.contains(name: "upgrade") { throw Problem.notImplementedTunnel }
        }
        if case .length(let length) = framing, length > self.configuration.limits.maxBody {
            throw Problem.payloadTooLarge(limit: self.configuration.limits.maxBody)
        }
        var headers = self.upstreamHeaders(head.headers, client: client, requestID: requestID)
        var plan = Plan(
            upstreamHead: HTTPRequestHead(version: .http1_1, method: head.method, uri: target.uri, headers: HTTPHeaders()),
            route: route,
            framing: framing,
            upstreamFraming: Self.upstreamFraming(of: framing, isHTTP2: isHTTP2),
            // After an Upgrade request the HTTP/1.1 parser stops: such a connection cannot carry more.
            keepAlive: isHTTP2 || (head.isKeepAlive && !head.headers.contains(name: "upgrade"))
        )
        if let route, !route.encrypt.isEmpty, framing != .none, framing != .length(0) {
            if let refusal = JSONMediaType.refusal(for: head.headers) {
                // An HTTP/2 request without Content-Length may turn out to have no body at all.
                guard isHTTP2, framing == .streamed else { throw refusal }
                plan.refusalIfBodyArrives = refusal
            }
            plan.encryptsBody = true
            // The rewritten body has another length: it is held whole and sent with its new length, or goes chunked.
            plan.upstreamFraming = .rewritten(
                holdLimit: route.bufferBody ? .max : Self.maximumHeldBody,
                mayBeEmpty: isHTTP2 && framing == .streamed
            )
        }
        if let policy = route?.decryptResponses {
            // The backend must answer uncompressed so that tokens can be found in its JSON.
            headers.remove(name: "accept-encoding")
            plan.decryptsResponse = policy.permits(client.identity)
        }
        if !headers.contains(name: "host") {
            headers.add(name: "host", value: "\(self.configuration.upstream.host):\(self.configuration.upstream.port)")
        }
        plan.upstreamHead.headers = headers
        return plan
    }

    private static func upstreamFraming(of framing: BodyFraming, isHTTP2: Bool) -> UpstreamFraming {
        switch framing {
        case .none: .none
        case .length(let length): .length(length)
        // An HTTP/2 request without Content-Length may turn out to have no body at all.
        case .streamed: isHTTP2 ? .chunkedUnlessEmpty : .chunked
        }
    }

    /// The name the access log gives a refused request's route: the route it matched, `passthrough` when none
    /// matched, `-` when its target could not be parsed.
    func routeName(of head: HTTPRequestHead) -> String {
        guard let target = try? RequestTarget(head.uri) else { return "-" }
        return self.router.route(for: target.path)?.name ?? "passthrough"
    }

    /// The refusal for an HTTP/1.1 request whose method the parser rejected (such as `post`):
    /// 405 with `Allow` when the route lists its methods, as DESIGN.md asks, else 400.
    /// - Parameter requestLine: the raw request line, as far as it was received.
    func refusal(forUnparsableMethodIn requestLine: [UInt8], client: ClientConnection) -> Problem {
        let parts = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        let unsupported = Problem.badRequest("invalid_method", "the request method is not supported", close: true)
        guard parts.count >= 2, let target = try? RequestTarget(String(decoding: parts[1], as: UTF8.self)) else {
            return unsupported
        }
        let route = self.router.route(for: target.path)
        guard self.configuration.authorization.permits(client.identity),
            route?.authorization?.permits(client.identity) ?? true
        else {
            return Problem.forbidden("the client identity is not allowed to use this service")
        }
        guard let methods = route?.methods else { return unsupported }
        var problem = Problem.methodNotAllowed(allowed: methods)
        problem.closesConnection = true
        return problem
    }

    /// HTTP/1.1 framing rules: one `chunked` transfer coding or one unsigned Content-Length, never both.
    private func framing(of head: HTTPRequestHead, isHTTP2: Bool) throws(Problem) -> BodyFraming {
        // One pass over the fields, without copies: the first Content-Length element, whether the others repeat it,
        // and the Transfer-Encoding fields.
        var length: Substring?
        var lengthsAgree = true
        var codings = 0
        var chunked = false
        for (name, value) in head.headers {
            if name.equalsIgnoringASCIICase("content-length") {
                value.forEachListElement { element in
                    if let first = length { lengthsAgree = lengthsAgree && element == first } else { length = element }
                }
            } else if name.equalsIgnoringASCIICase("transfer-encoding") {
                codings += 1
                chunked = value.trimmedOWS.equalsIgnoringASCIICase("chunked")
            }
        }
        if codings > 0 {
            guard length == nil else {
                throw Problem.badRequest("invalid_framing", "Content-Length together with Transfer-Encoding", close: true)
            }
            // Over HTTP/2 the field cannot come from the client (RFC 9113 §8.2.2: NIO refuses such a request): NIO's
            // HTTP/2-to-HTTP/1 codec adds `chunked` for a body of unknown length, which is what `.streamed` means.
            guard codings == 1, chunked else {
                throw Problem.badRequest("invalid_framing", "the only accepted transfer coding is chunked", close: true)
            }
            return .streamed
        }
        guard let length else { return isHTTP2 ? .streamed : .none }
        guard lengthsAgree, !length.isEmpty, length.utf8.count <= 18,
            length.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let value = Int(length)
        else {
            throw Problem.badRequest("invalid_framing", "invalid or conflicting Content-Length", close: true)
        }
        return .length(value)
    }

    /// Hop-by-hop headers (RFC 9110 §7.6.1) plus those sealgate always sets itself.
    private static let droppedHeaders: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade", "http2-settings",
        "x-forwarded-proto", "x-request-id",
    ]

    private func upstreamHeaders(
        _ headers: HTTPHeaders,
        client: ClientConnection,
        requestID: String
    ) -> HTTPHeaders {
        // Empty, without an allocation, when the client sent no Connection header.
        var connectionOptions = Set<String>()
        headers.forEachConnectionOption { connectionOptions.insert($0.lowercased()) }
        var result = HTTPHeaders()
        // Room for the headers sealgate adds, so that the copy does not grow step by step.
        result.reserveCapacity(headers.count + 6)
        var forwardedFor: String?
        for (name, value) in headers {
            let lower = name.lowercased()
            if Self.droppedHeaders.contains(lower) || lower == "content-length"
                || (connectionOptions.contains(lower) && !Self.protectedHeaders.contains(lower))
                || self.identityHeaderNames.contains(Self.canonicalName(lower))
            {
                continue
            }
            if lower == "x-forwarded-for" {
                forwardedFor = forwardedFor.map { "\($0), \(value)" } ?? value
                continue
            }
            result.add(name: name, value: value)
        }
        // Framing is never copied: the exchange sets it from what sealgate parsed (``UpstreamFraming``), so the
        // backend frames the body exactly as sealgate did.
        if let remote = client.remoteIP { forwardedFor = forwardedFor.map { "\($0), \(remote)" } ?? remote }
        if let forwardedFor { result.add(name: "x-forwarded-for", value: forwardedFor) }
        result.add(name: "x-forwarded-proto", value: "https")
        result.add(name: "x-request-id", value: requestID)
        if let identity = client.identityHeaderValue {
            result.add(name: self.configuration.identityHeader, value: identity)
        }
        return result
    }

    private static func explain(_ rejection: RequestTarget.Rejection) -> String {
        switch rejection {
        case .notOriginForm: "the request target must be an absolute path without a fragment"
        case .forbiddenEscape: "the path contains an encoded '/', '\\' or NUL, or a raw '\\'"
        case .malformedEscape: "the path contains a malformed percent escape"
        case .climbsAboveRoot: "the path climbs above '/'"
        }
    }

    /// Client trailers without hop-by-hop, framing or identity fields (a trailer must not smuggle
    /// an identity header past the head's filtering).
    func upstreamTrailers(_ trailers: HTTPHeaders?) -> HTTPHeaders? {
        guard let trailers, !trailers.isEmpty else { return trailers }
        var result = HTTPHeaders()
        for (name, value) in trailers {
            let lower = name.lowercased()
            if Self.droppedHeaders.contains(lower) || Self.protectedHeaders.contains(lower)
                || self.identityHeaderNames.contains(Self.canonicalName(lower))
            {
                continue
            }
            result.add(name: name, value: value)
        }
        return result
    }

    /// Hop-by-hop headers removed from responses.
    private static let droppedResponseHeaders = [
        "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade", "http2-settings",
    ]

    /// The head sent to the client for a backend response.
    static func downstreamHead(
        _ upstream: HTTPResponseHead,
        version: HTTPVersion,
        requestID: String,
        keepAlive: Bool
    ) -> HTTPResponseHead {
        // The backend's headers are edited in place (names compare case-insensitively, without copies), in one copy
        // with room for the two fields added.
        var headers = upstream.headers
        headers.reserveCapacity(headers.count + 2)
        upstream.headers.forEachConnectionOption { headers.remove(name: String($0)) }
        for name in Self.droppedResponseHeaders where headers.contains(name: name) {
            headers.remove(name: name)
        }
        headers.remove(name: "x-request-id")
        headers.add(name: "x-request-id", value: requestID)
        if !keepAlive, version.major < 2 { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: version, status: upstream.status, headers: headers)
    }
}
