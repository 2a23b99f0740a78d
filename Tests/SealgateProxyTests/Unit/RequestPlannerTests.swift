import NIOHTTP1
import SealgateJSON
import SealgateCertificates
import Testing

@testable import SealgateProxy

@Suite("Request planning")
struct RequestPlannerTests {
    static let writer = try! PeerIdentity.testIdentity(uri: "spiffe://example.org/ns/intake/sa/writer")
    static let client = ClientConnection(identity: writer, identityHeaderValue: "By=x;Hash=abc", remoteIP: "192.0.2.7")

    static func planner(routes: [RouteConfiguration] = [], allow: [IdentityPattern] = []) -> RequestPlanner {
        var configuration = ProxyConfiguration(
            listener: ListenerConfiguration(
                address: SocketAddressConfiguration(host: "127.0.0.1", port: 0),
                tls: .init(certificatePath: "unused", privateKeyPath: "unused")
            ),
            upstream: UpstreamConfiguration(host: "127.0.0.1", port: 8080)
        )
        configuration.routes = routes
        configuration.authorization = AuthorizationPolicy(allow: allow)
        configuration.limits.maxBody = 1000
        configuration.limits.maxHeader = 2048
        return RequestPlanner(configuration: configuration)
    }

    static func head(_ method: HTTPMethod = .GET, _ uri: String = "/", version: HTTPVersion = .http1_1, _ headers: [(String, String)] = [])
        -> HTTPRequestHead
    {
        HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(headers))
    }

    func plan(_ head: HTTPRequestHead, planner: RequestPlanner = RequestPlannerTests.planner()) throws(Problem) -> RequestPlanner.Plan {
        try planner.plan(head, client: Self.client, requestID: "rid")
    }

    func refusal(_ head: HTTPRequestHead, planner: RequestPlanner = RequestPlannerTests.planner()) -> Problem? {
        do {
            _ = try self.plan(head, planner: planner)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "framing rules of HTTP/1.1",
        arguments: [
            ([("content-length", "5"), ("transfer-encoding", "chunked")], "invalid_framing"),
            ([("content-length", "5"), ("content-length", "6")], "invalid_framing"),
            ([("content-length", "5, 6")], "invalid_framing"),
            ([("content-length", "-1")], "invalid_framing"),
            ([("content-length", "+5")], "invalid_framing"),
            ([("transfer-encoding", "gzip")], "invalid_framing"),
            ([("transfer-encoding", "chunked"), ("transfer-encoding", "chunked")], "invalid_framing"),
            ([("Transfer-Encoding", "chunked, gzip")], "invalid_framing"),
            ([("CONTENT-LENGTH", "5"), ("Transfer-Encoding", "chunked")], "invalid_framing"),
            ([("content-length", "5,")], "invalid_framing"),
            ([("content-length", "")], "invalid_framing"),
            ([("content-length", "05"), ("content-length", "5")], "invalid_framing"),
            ([("content-length", "1234567890123456789")], "invalid_framing"),
            ([("content-length", "1001")], "payload_too_large"),
        ]
    )
    func framing(headers: [(String, String)], code: String) {
        let problem = self.refusal(Self.head(.POST, "/", headers))
        #expect(problem?.code == code)
        #expect(problem?.closesConnection == true)
    }

    @Test("accepted framings are kept")
    func acceptedFraming() throws {
        #expect(try self.plan(Self.head(.POST, "/", [("content-length", "5"), ("content-length", "5")])).framing == .length(5))
        #expect(try self.plan(Self.head(.POST, "/", [("Content-Length", " 7 ,7\t")])).framing == .length(7))
        #expect(try self.plan(Self.head(.POST, "/", [("Transfer-Encoding", " chunked ")])).framing == .streamed)
        let chunked = try self.plan(Self.head(.POST, "/", [("Transfer-Encoding", "Chunked")]))
        #expect(chunked.framing == .streamed)
        #expect(chunked.upstreamFraming == .chunked)
        #expect(chunked.upstreamHead.headers["transfer-encoding"].isEmpty)
        #expect(try self.plan(Self.head(.GET, "/")).framing == .none)
        #expect(try self.plan(Self.head(.POST, "/", version: .init(major: 2, minor: 0))).framing == .streamed)
        // An HTTP/2 body without Content-Length, as NIO's HTTP/2-to-HTTP/1 codec hands it over.
        let http2 = try self.plan(Self.head(.POST, "/", version: .init(major: 2, minor: 0), [("transfer-encoding", "chunked")]))
        #expect(http2.framing == .streamed)
        #expect(http2.upstreamFraming == .chunkedUnlessEmpty)
    }

    @Test("routes: methods, authorization, tunnels")
    func routes() throws {
        let planner = Self.planner(
            routes: [
                RouteConfiguration(path: try PathPattern("/v1/patients"), methods: ["GET", "POST"]),
                RouteConfiguration(path: try PathPattern("/v1/admin"), authorization: AuthorizationPolicy(allow: [.commonName("root")])),
                RouteConfiguration(path: try PathPattern("/v1/secure"), encrypt: [FieldRule(path: try JSONPath("$.ssn"), key: "pii")]),
            ],
            allow: [.uri("spiffe://example.org/ns/*/sa/writer")]
        )
        #expect(try self.plan(Self.head(.GET, "/v1/patients/7"), planner: planner).route?.name == "/v1/patients")
        let notAllowed = self.refusal(Self.head(.DELETE, "/v1/patients"), planner: planner)
        #expect(notAllowed?.status == .methodNotAllowed)
        #expect(notAllowed?.headers.first { $0.0 == "allow" }?.1 == "GET, POST")
        #expect(self.refusal(Self.head(.RAW(value: "post"), "/v1/patients"), planner: planner)?.status == .methodNotAllowed)
        #expect(self.refusal(Self.head(.GET, "/v1/admin"), planner: planner)?.code == "forbidden")
        #expect(self.refusal(Self.head(.GET, "/v1/secure", [("upgrade", "websocket")]), planner: planner)?.status == .notImplemented)
        #expect(self.refusal(Self.head(.CONNECT, "/v1/patients"), planner: planner)?.status == .notImplemented)
        #expect(try self.plan(Self.head(.GET, "/elsewhere"), planner: planner).route == nil)
        let intruderPlanner = Self.planner(allow: [.uri("spiffe://other.org/*")])
        #expect(self.refusal(Self.head(.GET, "/"), planner: intruderPlanner)?.code == "forbidden")
    }

    @Test("the unparsable-method refusal names the route's methods")
    func unparsableMethod() throws {
        let planner = Self.planner(routes: [RouteConfiguration(path: try PathPattern("/v1/patients"), methods: ["GET"])])
        let problem = planner.refusal(forUnparsableMethodIn: Array("post /v1/patients/7 HTTP/1.1".utf8), client: Self.client)
        #expect(problem.status == .methodNotAllowed)
        #expect(problem.headers.first { $0.0 == "allow" }?.1 == "GET")
        let elsewhere = planner.refusal(forUnparsableMethodIn: Array("post /other HTTP/1.1".utf8), client: Self.client)
        #expect(elsewhere.status == .badRequest)
    }

    @Test("upstream headers: hop-by-hop dropped, identity replaced, forwarding set")
    func upstreamHeaders() throws {
        let plan = try self.plan(
            Self.head(
                .GET,
                "/a",
                [
                    ("Connection", "close, X-Secret, x-forwarded-client-cert"), ("X-Secret", "1"), ("Keep-Alive", "5"),
                    ("TE", "trailers"), ("Upgrade", "h2c"), ("HTTP2-Settings", "AAA"), ("Proxy-Connection", "x"),
                    ("X-Forwarded-Client-Cert", "forged"), ("x_forwarded_client_cert", "forged"),
                    ("X-FORWARDED-CLIENT-CERT", "forged"), ("X-Forwarded-For", "203.0.113.1"),
                    ("X-Forwarded-Proto", "http"), ("X-Request-ID", "client"), ("Accept", "*/*"),
                ]
            )
        )
        let headers = plan.upstreamHead.headers
        for name in ["connection", "x-secret", "keep-alive", "te", "upgrade", "http2-settings", "proxy-connection", "x_forwarded_client_cert"] {
            #expect(!headers.contains(name: name), "\(name)")
        }
        #expect(headers["x-forwarded-client-cert"] == ["By=x;Hash=abc"])
        #expect(headers["x-forwarded-for"] == ["203.0.113.1, 192.0.2.7"])
        #expect(headers["x-forwarded-proto"] == ["https"])
        #expect(headers["x-request-id"] == ["rid"])
        #expect(headers["accept"] == ["*/*"])
        #expect(headers["host"] == ["127.0.0.1:8080"])
        #expect(plan.keepAlive == false)
        #expect(plan.upstreamHead.version == .http1_1)
    }

    @Test("HTTP/2 header lists over max_header are refused with 431")
    func http2HeaderLimit() {
        let big = String(repeating: "a", count: 2100)
        let problem = self.refusal(Self.head(.GET, "/", version: .init(major: 2, minor: 0), [("x-big", big)]))
        #expect(problem?.status == .requestHeaderFieldsTooLarge)
    }

    @Test("the downstream response head drops hop-by-hop headers and carries the request id")
    func downstreamHead() {
        let upstream = HTTPResponseHead(
            version: .http1_1,
            status: .ok,
            headers: HTTPHeaders([
                ("Connection", "keep-alive, X-Internal"), ("X-Internal", "1"), ("Transfer-Encoding", "chunked"),
                ("X-Request-ID", "backend"), ("Content-Type", "application/json"),
            ])
        )
        let head = RequestPlanner.downstreamHead(upstream, version: .http1_1, requestID: "rid", keepAlive: false)
        #expect(head.headers["x-internal"].isEmpty)
        #expect(head.headers["transfer-encoding"].isEmpty)
        #expect(head.headers["x-request-id"] == ["rid"])
        #expect(head.headers["connection"] == ["close"])
        #expect(head.headers["content-type"] == ["application/json"])
    }
}

extension RequestPlannerTests {
    @Test("Connection options cannot remove framing or host; framing is always sealgate's own")
    func connectionCannotRemoveFraming() throws {
        let plan = try self.plan(
            Self.head(.GET, "/", [("Content-Length", "5"), ("Host", "api"), ("Connection", "content-length, host, transfer-encoding")])
        )
        #expect(plan.upstreamHead.headers["content-length"].isEmpty)
        #expect(plan.upstreamFraming == .length(5))
        #expect(plan.upstreamHead.headers["host"] == ["api"])
    }

    @Test("TRACE is not forwarded; Upgrade ends keep-alive")
    func traceAndUpgrade() throws {
        #expect(self.refusal(Self.head(.TRACE, "/"))?.status == .notImplemented)
        #expect(try self.plan(Self.head(.GET, "/", [("Connection", "Upgrade"), ("Upgrade", "websocket")])).keepAlive == false)
        #expect(Problem.notImplementedTunnel.closesConnection)
    }

    @Test("every spelling of the identity header is removed, in headers and trailers", arguments: [
        "x-forwarded-client-cert", "X-FORWARDED-CLIENT-CERT", "x_forwarded_client_cert", "x-forwarded_client-cert", "X_Forwarded-Client_Cert",
    ])
    func identityHeaderSpellings(name: String) throws {
        let plan = try self.plan(Self.head(.GET, "/", [(name, "forged")]))
        #expect(plan.upstreamHead.headers["x-forwarded-client-cert"] == ["By=x;Hash=abc"])
        #expect(!plan.upstreamHead.headers.contains { $0.value == "forged" })
        let trailers = Self.planner().upstreamTrailers(HTTPHeaders([(name, "forged"), ("x-checksum", "1"), ("content-length", "9")]))
        #expect(trailers.map { Array($0) }?.map(\.name) == ["x-checksum"])
    }

    @Test("a route's compiled field rules follow its encrypt rules when they change")
    func compiledFieldRulesFollowTheRules() throws {
        var route = RouteConfiguration(path: try PathPattern("/v1"), encrypt: [FieldRule(path: try JSONPath("$.ssn"), key: "pii")])
        #expect(route.fieldRules.rules == route.encrypt)
        #expect(route.fieldRules.compiledPaths.paths.map(\.description) == ["$.ssn"])
        route.encrypt.append(FieldRule(path: try JSONPath("$['e-mail']"), key: "contact"))
        #expect(route.fieldRules.rules == route.encrypt)
        #expect(route.fieldRules.compiledPaths.paths.map(\.description) == ["$.ssn", "$['e-mail']"])
    }

    @Test("routes match with path parameters ignored")
    func pathParameters() throws {
        #expect(try PathPattern("/v1/patients").matches(path: "/v1/patients;jsessionid=1/7"))
        #expect(try PathPattern("/v1/*/records").matches(path: "/v1/7;v=2/records"))
    }
}
