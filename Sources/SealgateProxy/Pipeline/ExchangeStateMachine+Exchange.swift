import NIOCore
import NIOHTTP1

extension ExchangeStateMachine {
    /// What the handler learns of a planned request to start an exchange with.
    struct Start {
        var requestID: String
        var method: HTTPMethod
        var path: Substring
        var routeName: String
        var version: HTTPVersion
        var keepAlive: Bool
        var userAgent: String?
        /// `Host` or `:authority`.
        var authority: String?
        /// The head for the backend, without framing fields: the machine adds those when it sends the head.
        var upstreamHead: HTTPRequestHead
        var framing: UpstreamFraming
        var expectsContinue = false
        /// Encrypts the request body on routes with encrypt rules.
        var requestRewriter: BodyRewriter?
        /// An HTTP/2 body of unknown length that must be refused if a byte of it arrives.
        var refusalIfBodyArrives: Problem?
        /// The rules and keys that decrypt the response, when the client may read it decrypted.
        var responseDecryption: (rules: FieldRules, keys: FieldKeys, identityURIs: [String])?
    }

    /// The backend connection of an exchange.
    enum Link {
        /// Asked of the pool; reads from the client wait meanwhile.
        case acquiring
        /// `reused`: it came from the pool, so the backend may have closed it already.
        case attached(Upstream, reused: Bool)
    }

    /// When each phase of an exchange times out; `nil` where the phase is not running.
    struct Deadlines {
        /// The client's next body read (`limits.body_timeout`), while the request body streams and reads are open.
        var body: NIODeadline?
        /// The backend's response head, once it has the whole request (`upstream.timeout`).
        var response: NIODeadline?
        /// The backend's next response read (`upstream.read_timeout`), while the client takes what it gets.
        var read: NIODeadline?
        /// The client taking response bytes again (`limits.write_timeout`), while its connection is not writable.
        var write: NIODeadline?

        /// The earliest of them (asked after every event: no array is built).
        var earliest: NIODeadline? {
            func min(_ a: NIODeadline?, _ b: NIODeadline?) -> NIODeadline? {
                guard let a else { return b }
                guard let b else { return a }
                return Swift.min(a, b)
            }
            return min(min(self.body, self.response), min(self.read, self.write))
        }
    }

    /// One proxied request, from its head to the end of its response. A class that never leaves its machine: events
    /// change it in place, where a struct in the state enum would be copied out (thirty fields, most of them
    /// references to retain) and back on every event and every query.
    final class Exchange {
        let number: Int
        let requestID: String
        let start: NIODeadline
        let method: HTTPMethod
        let path: Substring
        let routeName: String
        let version: HTTPVersion
        let keepAlive: Bool
        let userAgent: String?
        let authority: String?
        var framing: UpstreamFraming
        /// The head not yet written to the backend.
        var upstreamHead: HTTPRequestHead?
        /// The head as written, kept to replay a bodiless request on a fresh connection.
        var sentHead: HTTPRequestHead?
        /// When the head went to the backend.
        var upstreamStart: NIODeadline?
        /// Request parts waiting for the backend connection (or for the held body's decision).
        var pending: [HTTPClientRequestPart] = []
        /// A rewritten body held whole to be sent with its length (``UpstreamFraming/rewritten(holdLimit:mayBeEmpty:)``).
        var heldBody: ByteBuffer?
        var link = Link.acquiring
        var upstreamWritable = true
        var clientWritable = true
        /// Parts were written to the backend and not flushed yet (flushed at the end of the client's read).
        var unflushed = false
        /// No body byte has gone to the backend, so the request can be replayed on a fresh connection.
        var replayable = true
        var requestEnded = false
        var upstreamKeepAlive = false
        /// The response status, once the backend's head has been passed on.
        var status: HTTPResponseStatus?
        var bytesIn = 0
        var bytesOut = 0
        var requestRewriter: BodyRewriter?
        var refusalIfBodyArrives: Problem?
        var responseDecryption: (rules: FieldRules, keys: FieldKeys, identityURIs: [String])?
        var responseRewriter: BodyRewriter?
        var fieldsEncrypted: [String: Int] = [:]
        var fieldsDecrypted: [String: Int] = [:]
        var undecryptableTokens = 0
        var deadlines = Deadlines()

        init(number: Int, start: Start, now: NIODeadline) {
            self.number = number
            self.requestID = start.requestID
            self.start = now
            self.method = start.method
            self.path = start.path
            self.routeName = start.routeName
            self.version = start.version
            self.keepAlive = start.keepAlive
            self.userAgent = start.userAgent
            self.authority = start.authority
            self.framing = start.framing
            self.upstreamHead = start.upstreamHead
            self.requestRewriter = start.requestRewriter
            self.refusalIfBodyArrives = start.refusalIfBodyArrives
            self.responseDecryption = start.responseDecryption
            if case .rewritten = start.framing { self.heldBody = ByteBuffer() }
        }

        var upstream: Upstream? {
            guard case .attached(let upstream, _) = self.link else { return nil }
            return upstream
        }

        var reused: Bool {
            guard case .attached(_, let reused) = self.link else { return false }
            return reused
        }

        /// Whether the client's reads are open: not while the backend connection is awaited or cannot take more.
        var readsClient: Bool {
            guard case .attached = self.link else { return false }
            return self.upstreamWritable
        }

        /// Whether the request ended with trailers (which only chunked framing carries).
        var endsWithTrailers: Bool {
            guard case .end(let trailers)? = self.pending.last else { return false }
            return trailers.map { !$0.isEmpty } ?? false
        }

        /// Queues rewritten request body bytes for the backend: into the held body while there is one.
        func queueRewritten(_ output: ByteBuffer) {
            guard output.readableBytes > 0 else { return }
            if self.heldBody?.readableBytes == 0 {
                // The usual case, a body rewritten in one piece, is held without a copy.
                self.heldBody = output
            } else if self.heldBody != nil {
                self.heldBody!.writeImmutableBuffer(output)
            } else {
                self.pending.append(.body(.byteBuffer(output)))
            }
        }

        /// The access-log record of the exchange as it ends now.
        func record(status: HTTPResponseStatus?, problem: Problem? = nil, now: NIODeadline) -> ExchangeRecord {
            ExchangeRecord(
                requestID: self.requestID,
                identity: nil,
                method: self.method,
                path: self.path,
                route: self.routeName,
                status: status,
                problemCode: problem?.code,
                bytesIn: self.bytesIn,
                bytesOut: self.bytesOut,
                duration: now - self.start,
                fieldsEncrypted: self.fieldsEncrypted,
                fieldsDecrypted: self.fieldsDecrypted,
                undecryptableTokens: self.undecryptableTokens,
                protocolName: ExchangeRecord.protocolName(of: self.version),
                userAgent: self.userAgent,
                authority: self.authority,
                upstreamDuration: self.upstreamStart.map { now - $0 }
            )
        }
    }
}
