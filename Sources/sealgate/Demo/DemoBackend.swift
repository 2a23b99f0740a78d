import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The demo's backend: a plain HTTP/1.1 server on loopback that stores `POST /v1/patients` bodies with
/// ``RecordStore`` and answers `GET /v1/patients/<id>` and `GET /v1/patients` (all, as a JSON array).
/// One request per connection, so shutting down never waits for an idle keep-alive connection.
struct DemoBackend: Service {
    let port: Int
    let store: RecordStore
    let logger: Logger

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: self.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        self.logger.info("demo backend listening", metadata: ["address": "127.0.0.1:\(self.port)"])
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { try? await self.serve(connection) }
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let requestHead): head = requestHead
                case .body(var chunk): body.writeBuffer(&chunk)
                case .end:
                    guard let head else { return }
                    let (status, text) = await self.respond(to: head, body: String(buffer: body))
                    var headers = HTTPHeaders([("content-type", "application/json"), ("connection", "close")])
                    headers.add(name: "content-length", value: String(text.utf8.count))
                    try await outbound.write(
                        .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        }
    }

    private func respond(to head: HTTPRequestHead, body: String) async -> (HTTPResponseStatus, String) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        let segments = path.split(separator: "/")
        guard segments.starts(with: ["v1", "patients"]) else { return (.notFound, #"{"error": "not found"}"#) }
        do {
            switch (head.method, segments.count) {
            case (.POST, 2):
                guard let stored = try await self.store.append(body) else {
                    return (.badRequest, #"{"error": "a record is a JSON object"}"#)
                }
                return (.created, stored)
            case (.GET, 2):
                return (.ok, "[" + (try await self.store.all()).joined(separator: ",\n") + "]")
            case (.GET, 3):
                guard let id = Int(segments[2]), let record = try await self.store.record(id: id) else {
                    return (.notFound, #"{"error": "no such record"}"#)
                }
                return (.ok, record)
            default:
                return (.methodNotAllowed, #"{"error": "method not allowed"}"#)
            }
        } catch {
            self.logger.error("demo backend storage failed", metadata: ["error": "\(error)"])
            return (.internalServerError, #"{"error": "storage failed"}"#)
        }
    }
}
