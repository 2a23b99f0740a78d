import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A listener that could not open its socket, named as the configuration names it.
public struct ListenError: Error, Hashable, CustomStringConvertible {
    /// The configuration key of the listener: `listen.address` or `admin.address`.
    public var listener: String
    /// The address it was to listen on.
    public var address: String
    /// Why, as the system says it (`Address already in use`).
    public var reason: String

    init(listener: String, address: SocketAddressConfiguration, error: any Error) {
        self.listener = listener
        self.address = address.description
        if let error = error as? IOError {
            self.reason = String(cString: strerror(error.errnoCode))
        } else {
            self.reason = "\(error)"
        }
    }

    public var description: String { "cannot listen on \(self.address) (\(self.listener)): \(self.reason)" }
}
