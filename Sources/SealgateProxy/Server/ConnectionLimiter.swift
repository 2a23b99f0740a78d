import NIOConcurrencyHelpers
import NIOCore

/// On the listening channel: closes accepted connections beyond `max_connections`, and keeps the open ones so that
/// shutdown can close those still open when its grace period ends.
final class ConnectionLimiter: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let maximum: Int
    private let open = NIOLockedValueBox([ObjectIdentifier: any Channel]())
    private let metrics: ProxyMetrics

    init(maximum: Int, metrics: ProxyMetrics) {
        self.maximum = maximum
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = self.unwrapInboundIn(data)
        let id = ObjectIdentifier(child)
        let admitted = self.open.withLockedValue { open in
            guard open.count < self.maximum else { return false }
            open[id] = child
            return true
        }
        guard admitted else {
            self.metrics.connectionRejected()
            child.close(promise: nil)
            return
        }
        child.closeFuture.whenComplete { _ in _ = self.open.withLockedValue { $0.removeValue(forKey: id) } }
        context.fireChannelRead(data)
    }

    /// Closes every connection still open.
    func closeAll() {
        for channel in self.open.withLockedValue({ Array($0.values) }) { channel.close(promise: nil) }
    }
}
