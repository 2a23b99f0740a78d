import NIOCore
import NIOHTTP1
import Testing

@testable import SealgateProxy

/// The exchange state machine driven with plain values: each test puts it in a state by a sequence of events, sends
/// one more, and compares the action (written as a short text) and the state that follows.
@Suite("Exchange state machine (tables of state × event)")
struct ExchangeStateMachineTests {
    final class Upstream {}
    typealias Machine = ExchangeStateMachine<Upstream>

    static let limits = Machine.Limits(
        maxBody: 1000,
        bodyTimeout: .seconds(30),
        responseTimeout: .seconds(20),
        readTimeout: .seconds(10),
        writeTimeout: .seconds(5)
    )
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// The states a machine can be put in, by the events that lead there.
    enum Setup: String, CaseIterable, CustomTestStringConvertible {
        case idle
        case acquiring
        case sending
        case awaitingHead
        case streaming
        case discarding
        case closed

        var testDescription: String { self.rawValue }
    }

    /// The events, each as it is sent in every state.
    enum Event: String, CaseIterable, CustomTestStringConvertible {
        case head
        case refusedHead
        case body
        case end
        case readComplete
        case acquired
        case acquireFailed
        case upstreamBlocked
        case clientBlocked
        case responseHead
        case responseBody
        case responseEnd
        case upstreamClosed
        case timer
        case clientClosed
        case parserError

        var testDescription: String { self.rawValue }
    }

    struct Driver {
        var machine = Machine(limits: ExchangeStateMachineTests.limits)
        let upstream = Upstream()
        var now = ExchangeStateMachineTests.t0

        static func start(method: HTTPMethod = .POST, framing: UpstreamFraming = .chunked, keepAlive: Bool = true) -> Machine.Start {
            Machine.Start(
                requestID: "rid",
                method: method,
                path: "/v1",
                routeName: "/v1",
                version: .http1_1,
                keepAlive: keepAlive,
                upstreamHead: HTTPRequestHead(version: .http1_1, method: method, uri: "/v1"),
                framing: framing
            )
        }

        mutating func setUp(_ setup: Setup) {
            switch setup {
            case .idle:
                break
            case .acquiring:
                _ = self.machine.requestStarted(Self.start(), now: self.now)
            case .sending:
                self.setUp(.acquiring)
                _ = self.machine.upstreamAcquired(.success((self.upstream, false)), number: 1, now: self.now)
                _ = self.machine.clientReadComplete()
            case .awaitingHead:
                self.setUp(.sending)
                _ = self.machine.requestPartReceived(.end(nil), bytes: 0, now: self.now)
                _ = self.machine.clientReadComplete()
            case .streaming:
                self.setUp(.awaitingHead)
                _ = self.machine.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .ok), now: self.now)
            case .discarding:
                let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1")
                _ = self.machine.requestRefused(.forbidden("no"), head: head, route: "/v1", requestID: "rid", now: self.now)
            case .closed:
                _ = self.machine.clientClosed(now: self.now)
            }
        }

        mutating func send(_ event: Event) -> String {
            let action: Machine.Action
            switch event {
            case .head:
                action = self.machine.requestStarted(Self.start(), now: self.now)
            case .refusedHead:
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1")
                action = self.machine.requestRefused(.forbidden("no"), head: head, route: "/v1", requestID: "rid", now: self.now)
            case .body:
                action = self.machine.requestPartReceived(.body(.byteBuffer(ByteBuffer(string: "abc"))), bytes: 3, now: self.now)
            case .end:
                action = self.machine.requestPartReceived(.end(nil), bytes: 0, now: self.now)
            case .readComplete:
                action = self.machine.clientReadComplete()
            case .acquired:
                action = self.machine.upstreamAcquired(.success((self.upstream, false)), number: 1, now: self.now)
            case .acquireFailed:
                action = self.machine.upstreamAcquired(.failure(ChannelError.connectTimeout(.seconds(1))), number: 1, now: self.now)
            case .upstreamBlocked:
                action = self.machine.upstreamWritabilityChanged(isWritable: false, now: self.now)
            case .clientBlocked:
                action = self.machine.clientWritabilityChanged(isWritable: false, now: self.now)
            case .responseHead:
                action = self.machine.responseHeadReceived(HTTPResponseHead(version: .http1_1, status: .ok), now: self.now)
            case .responseBody:
                action = self.machine.responseBodyReceived(ByteBuffer(string: "xyz"), now: self.now)
            case .responseEnd:
                action = self.machine.responseEndReceived(nil, now: self.now)
            case .upstreamClosed:
                action = self.machine.upstreamClosed(now: self.now)
            case .timer:
                // Past every deadline the machine can hold.
                action = self.machine.timerFired(now: self.now + .seconds(60))
            case .clientClosed:
                action = self.machine.clientClosed(now: self.now)
            case .parserError:
                action = self.machine.parserError(.badRequest("invalid_framing", "bad", close: true), requestID: "rid", now: self.now)
            }
            return Self.describe(action)
        }

        static func describe(_ action: Machine.Action) -> String {
            switch action {
            case .none:
                return "none"
            case .acquireUpstream(let number, let fresh, let sendContinue):
                return "acquire(\(number)\(fresh ? ", fresh" : "")\(sendContinue ? ", continue" : ""))"
            case .writeUpstream(_, let head, let parts, let flush):
                var fields: [String] = []
                if let head {
                    let framing = head.headers["content-length"].first.map { "length \($0)" }
                        ?? head.headers["transfer-encoding"].first ?? "no body"
                    fields.append("head[\(framing)]")
                }
                for part in parts {
                    switch part {
                    case .head: fields.append("head")
                    case .body(.byteBuffer(let buffer)): fields.append("body \(buffer.readableBytes)")
                    case .body: fields.append("body")
                    case .end: fields.append("end")
                    }
                }
                return "write(\(fields.joined(separator: ", "))\(flush ? ", flush" : ""))"
            case .flushUpstream:
                return "flush"
            case .releaseUpstream:
                return "release"
            case .writeResponseHead(let head):
                return "response head \(head.status.code)"
            case .writeResponseBody(let buffer):
                return "response body \(buffer.readableBytes)"
            case .finishResponse(_, _, let close, let upstream, let record):
                let disposal =
                    switch upstream {
                    case .none: ""
                    case .release: ", release"
                    case .abort: ", abort"
                    }
                return "finish(\(record.status?.code ?? 0)\(disposal)\(close ? ", close" : ""))"
            case .respond(let problem, _, _, let abort, let record):
                let closes = problem.closesConnection ? ", close" : ""
                #expect(record.problemCode == problem.code)
                return "respond(\(problem.status.code) \(problem.code)\(abort != nil ? ", abort" : "")\(closes))"
            case .close(let abort, let record):
                let code = record.map { ", log \($0.status?.code ?? 499)\($0.problemCode.map { " " + $0 } ?? "")" } ?? ""
                return "close(\(abort != nil ? "abort" : "")\(code))"
            }
        }
    }

    /// Every state × every event: the action, then whether the client's reads are open and the next deadline.
    static let table: [(Setup, Event, String)] = [
        (.idle, .head, "acquire(1)"),
        (.idle, .refusedHead, "respond(403 forbidden)"),
        (.idle, .body, "none"),
        (.idle, .end, "none"),
        (.idle, .readComplete, "none"),
        (.idle, .acquired, "release"),
        (.idle, .acquireFailed, "none"),
        (.idle, .upstreamBlocked, "none"),
        (.idle, .clientBlocked, "none"),
        (.idle, .responseHead, "none"),
        (.idle, .responseBody, "none"),
        (.idle, .responseEnd, "none"),
        (.idle, .upstreamClosed, "none"),
        (.idle, .timer, "none"),
        (.idle, .clientClosed, "none"),
        (.idle, .parserError, "respond(400 invalid_framing, close)"),

        (.acquiring, .head, "close()"),
        (.acquiring, .refusedHead, "close()"),
        (.acquiring, .body, "none"),
        (.acquiring, .end, "none"),
        (.acquiring, .readComplete, "none"),
        (.acquiring, .acquired, "write(head[chunked])"),
        (.acquiring, .acquireFailed, "respond(502 upstream_unavailable, close)"),
        (.acquiring, .upstreamBlocked, "none"),
        (.acquiring, .clientBlocked, "none"),
        (.acquiring, .responseHead, "none"),
        (.acquiring, .responseBody, "none"),
        (.acquiring, .responseEnd, "none"),
        (.acquiring, .upstreamClosed, "none"),
        (.acquiring, .timer, "none"),
        (.acquiring, .clientClosed, "close(, log 499)"),
        (.acquiring, .parserError, "respond(400 invalid_framing, close)"),

        (.sending, .head, "close(abort)"),
        (.sending, .refusedHead, "close(abort)"),
        (.sending, .body, "write(body 3)"),
        (.sending, .end, "write(end, flush)"),
        (.sending, .readComplete, "none"),
        (.sending, .acquired, "release"),
        (.sending, .acquireFailed, "none"),
        (.sending, .upstreamBlocked, "none"),
        (.sending, .clientBlocked, "none"),
        (.sending, .responseHead, "response head 200"),
        (.sending, .responseBody, "none"),
        (.sending, .responseEnd, "none"),
        (.sending, .upstreamClosed, "respond(502 upstream_failed, close)"),
        (.sending, .timer, "respond(408 body_timeout, abort, close)"),
        (.sending, .clientClosed, "close(abort, log 499)"),
        (.sending, .parserError, "respond(400 invalid_framing, abort, close)"),

        (.awaitingHead, .head, "close(abort)"),
        (.awaitingHead, .refusedHead, "close(abort)"),
        (.awaitingHead, .body, "none"),
        (.awaitingHead, .end, "none"),
        (.awaitingHead, .readComplete, "none"),
        (.awaitingHead, .acquired, "release"),
        (.awaitingHead, .acquireFailed, "none"),
        (.awaitingHead, .upstreamBlocked, "none"),
        (.awaitingHead, .clientBlocked, "none"),
        (.awaitingHead, .responseHead, "response head 200"),
        (.awaitingHead, .responseBody, "none"),
        (.awaitingHead, .responseEnd, "none"),
        (.awaitingHead, .upstreamClosed, "respond(502 upstream_failed)"),
        (.awaitingHead, .timer, "respond(504 upstream_timeout, abort)"),
        (.awaitingHead, .clientClosed, "close(abort, log 499)"),
        (.awaitingHead, .parserError, "respond(400 invalid_framing, abort, close)"),

        (.streaming, .head, "close(abort)"),
        (.streaming, .refusedHead, "close(abort)"),
        (.streaming, .body, "none"),
        (.streaming, .end, "none"),
        (.streaming, .readComplete, "none"),
        (.streaming, .acquired, "release"),
        (.streaming, .acquireFailed, "none"),
        (.streaming, .upstreamBlocked, "none"),
        (.streaming, .clientBlocked, "none"),
        (.streaming, .responseHead, "none"),
        (.streaming, .responseBody, "response body 3"),
        (.streaming, .responseEnd, "finish(200, release)"),
        (.streaming, .upstreamClosed, "close(, log 200)"),
        (.streaming, .timer, "close(abort, log 200 upstream_read_timeout)"),
        (.streaming, .clientClosed, "close(abort, log 200)"),
        (.streaming, .parserError, "close(abort, log 200 invalid_framing)"),

        (.discarding, .head, "close()"),
        (.discarding, .refusedHead, "close()"),
        (.discarding, .body, "none"),
        (.discarding, .end, "none"),
        (.discarding, .readComplete, "none"),
        (.discarding, .acquired, "release"),
        (.discarding, .acquireFailed, "none"),
        (.discarding, .upstreamBlocked, "none"),
        (.discarding, .clientBlocked, "none"),
        (.discarding, .responseHead, "none"),
        (.discarding, .responseBody, "none"),
        (.discarding, .responseEnd, "none"),
        (.discarding, .upstreamClosed, "none"),
        (.discarding, .timer, "close()"),
        (.discarding, .clientClosed, "none"),
        (.discarding, .parserError, "respond(400 invalid_framing, close)"),

        (.closed, .head, "close()"),
        (.closed, .refusedHead, "close()"),
        (.closed, .body, "none"),
        (.closed, .end, "none"),
        (.closed, .readComplete, "none"),
        (.closed, .acquired, "release"),
        (.closed, .acquireFailed, "none"),
        (.closed, .upstreamBlocked, "none"),
        (.closed, .clientBlocked, "none"),
        (.closed, .responseHead, "none"),
        (.closed, .responseBody, "none"),
        (.closed, .responseEnd, "none"),
        (.closed, .upstreamClosed, "none"),
        (.closed, .timer, "none"),
        (.closed, .clientClosed, "none"),
        (.closed, .parserError, "none"),
    ]

    @Test("the table covers every state × event once")
    func tableIsComplete() {
        let pairs = Set(Self.table.map { "\($0.0.rawValue)·\($0.1.rawValue)" })
        #expect(pairs.count == Self.table.count)
        #expect(pairs.count == Setup.allCases.count * Event.allCases.count)
    }

    @Test("state × event → action", arguments: Self.table)
    func transition(setup: Setup, event: Event, expected: String) {
        var driver = Driver()
        driver.setUp(setup)
        #expect(driver.send(event) == expected)
    }

    @Test("a keep-alive GET: head, end, response, back to idle with the connection released")
    func keepAliveGET() {
        var driver = Driver()
        #expect(Driver.describe(driver.machine.requestStarted(Driver.start(method: .GET, framing: .none), now: driver.now)) == "acquire(1)")
        #expect(!driver.machine.readsClient)
        #expect(driver.send(.acquired) == "write(head[no body])")
        #expect(driver.machine.readsClient)
        #expect(driver.send(.end) == "write(end, flush)")
        #expect(driver.machine.nextDeadline == driver.now + .seconds(20))
        #expect(driver.send(.responseHead) == "response head 200")
        #expect(driver.machine.nextDeadline == driver.now + .seconds(10))
        #expect(driver.send(.responseEnd) == "finish(200, release)")
        #expect(driver.machine.nextDeadline == nil)
        #expect(driver.send(.head) == "acquire(2)")
    }

    @Test("writes made during a client read wait for its end, then leave in one flush")
    func flushAtReadEnd() {
        var driver = Driver()
        driver.setUp(.acquiring)
        #expect(driver.send(.acquired) == "write(head[chunked])")
        #expect(driver.send(.body) == "write(body 3)")
        #expect(driver.send(.readComplete) == "flush")
        #expect(driver.send(.readComplete) == "none")
        // Outside a client read, a connection that arrives late flushes at once.
        var late = Driver()
        _ = late.machine.requestStarted(Driver.start(), now: late.now)
        _ = late.machine.clientReadComplete()
        #expect(late.send(.acquired) == "write(head[chunked], flush)")
    }

    @Test("an HTTP/2 body of unknown length: the head waits for the first part, and an empty one has no framing")
    func chunkedUnlessEmpty() {
        var driver = Driver()
        _ = driver.machine.requestStarted(Driver.start(framing: .chunkedUnlessEmpty), now: driver.now)
        #expect(driver.send(.acquired) == "none")
        #expect(driver.send(.end) == "write(head[no body], end, flush)")
        var withBody = Driver()
        _ = withBody.machine.requestStarted(Driver.start(framing: .chunkedUnlessEmpty), now: withBody.now)
        _ = withBody.send(.acquired)
        #expect(withBody.send(.body) == "write(head[chunked], body 3)")
    }

    @Test("a rewritten body is held and sent with its length; past the hold limit it streams chunked")
    func heldBody() throws {
        func start(holdLimit: Int) throws -> Machine.Start {
            var start = Driver.start(framing: .rewritten(holdLimit: holdLimit, mayBeEmpty: false))
            start.requestRewriter = try BodyRewriter(rules: FieldRules([]), keys: FieldKeys(), mode: .encrypt, identityURIs: [])
            return start
        }
        var held = Driver()
        _ = held.machine.requestStarted(try start(holdLimit: 100), now: held.now)
        #expect(held.send(.acquired) == "none")
        #expect(Driver.describe(held.machine.requestPartReceived(.body(.byteBuffer(ByteBuffer(string: "{\"a\":"))), bytes: 5, now: held.now)) == "none")
        #expect(Driver.describe(held.machine.requestPartReceived(.body(.byteBuffer(ByteBuffer(string: "1}"))), bytes: 2, now: held.now)) == "none")
        #expect(held.send(.end) == "write(head[length 7], body 7, end, flush)")

        var streamed = Driver()
        _ = streamed.machine.requestStarted(try start(holdLimit: 4), now: streamed.now)
        _ = streamed.send(.acquired)
        let part = ByteBuffer(string: "{\"a\":\"12345\"")
        #expect(Driver.describe(streamed.machine.requestPartReceived(.body(.byteBuffer(part)), bytes: 12, now: streamed.now))
            .hasPrefix("write(head[chunked], body "))
    }

    @Test("a body over max_body gets 413 and the backend's request is aborted")
    func bodyTooLarge() {
        var driver = Driver()
        driver.setUp(.sending)
        let big = ByteBuffer(repeating: 0x61, count: 1001)
        #expect(Driver.describe(driver.machine.requestPartReceived(.body(.byteBuffer(big)), bytes: 1001, now: driver.now))
            == "respond(413 payload_too_large, abort, close)")
    }

    @Test("the body timer runs only while the client's reads are open, and restarts on every read")
    func bodyTimer() {
        var driver = Driver()
        driver.setUp(.acquiring)
        #expect(driver.machine.nextDeadline == nil)
        _ = driver.send(.acquired)
        #expect(driver.machine.nextDeadline == driver.now + .seconds(30))
        driver.now = driver.now + .seconds(29)
        _ = driver.send(.body)
        #expect(driver.machine.nextDeadline == driver.now + .seconds(30))
        #expect(Driver.describe(driver.machine.timerFired(now: driver.now + .seconds(29))) == "none")
        _ = driver.send(.upstreamBlocked)
        #expect(!driver.machine.readsClient)
        #expect(driver.machine.nextDeadline == nil)
        driver.now = driver.now + .seconds(100)
        _ = driver.machine.upstreamWritabilityChanged(isWritable: true, now: driver.now)
        #expect(driver.machine.readsClient)
        #expect(driver.machine.nextDeadline == driver.now + .seconds(30))
    }

    @Test("a response the client stops reading: the backend's reads stop, and the write timer cuts both")
    func writeTimer() {
        var driver = Driver()
        driver.setUp(.streaming)
        #expect(driver.machine.attachedUpstream?.reads == true)
        _ = driver.send(.clientBlocked)
        #expect(driver.machine.attachedUpstream?.reads == false)
        #expect(driver.machine.nextDeadline == driver.now + .seconds(5))
        #expect(Driver.describe(driver.machine.timerFired(now: driver.now + .seconds(5))) == "close(abort, log 200 write_timeout)")
    }

    @Test("a response started and then stalled by the backend is cut after read_timeout")
    func readTimer() {
        var driver = Driver()
        driver.setUp(.streaming)
        driver.now = driver.now + .seconds(9)
        _ = driver.send(.responseBody)
        #expect(Driver.describe(driver.machine.timerFired(now: driver.now + .seconds(9))) == "none")
        #expect(Driver.describe(driver.machine.timerFired(now: driver.now + .seconds(10))) == "close(abort, log 200 upstream_read_timeout)")
    }

    @Test("a pooled connection closed by the backend: a held request goes on a fresh one, a bodiless GET is replayed once")
    func replay() {
        var held = Driver()
        _ = held.machine.requestStarted(Driver.start(framing: .chunkedUnlessEmpty), now: held.now)
        _ = held.machine.upstreamAcquired(.success((held.upstream, true)), number: 1, now: held.now)
        #expect(held.send(.upstreamClosed) == "acquire(1, fresh)")
        #expect(held.send(.acquired) == "none")

        var get = Driver()
        _ = get.machine.requestStarted(Driver.start(method: .GET, framing: .none), now: get.now)
        _ = get.machine.upstreamAcquired(.success((get.upstream, true)), number: 1, now: get.now)
        _ = get.send(.end)
        #expect(get.send(.upstreamClosed) == "acquire(1, fresh)")
        #expect(get.send(.acquired) == "write(head[no body], end, flush)")
        #expect(get.send(.upstreamClosed) == "respond(502 upstream_failed)")

        var post = Driver()
        _ = post.machine.requestStarted(Driver.start(), now: post.now)
        _ = post.machine.upstreamAcquired(.success((post.upstream, true)), number: 1, now: post.now)
        _ = post.send(.body)
        _ = post.send(.end)
        #expect(post.send(.upstreamClosed) == "respond(502 upstream_failed)")
    }

    @Test("a response that ends before its request: HTTP/1.1 discards the rest within a budget, then closes past it")
    func earlyResponse() {
        var driver = Driver()
        driver.setUp(.sending)
        _ = driver.send(.responseHead)
        #expect(driver.send(.responseEnd) == "finish(200, abort)")
        let part = ByteBuffer(repeating: 0x61, count: 60 << 10)
        #expect(Driver.describe(driver.machine.requestPartReceived(.body(.byteBuffer(part)), bytes: part.readableBytes, now: driver.now)) == "none")
        #expect(Driver.describe(driver.machine.requestPartReceived(.body(.byteBuffer(part)), bytes: part.readableBytes, now: driver.now)) == "close()")
    }

    @Test("Connection: close ends the connection after the response")
    func notKeepAlive() {
        var driver = Driver()
        _ = driver.machine.requestStarted(Driver.start(method: .GET, framing: .none, keepAlive: false), now: driver.now)
        _ = driver.send(.acquired)
        _ = driver.send(.end)
        _ = driver.send(.responseHead)
        #expect(driver.send(.responseEnd) == "finish(200, release, close)")
    }
}
