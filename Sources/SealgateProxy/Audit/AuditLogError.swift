/// The audit log cannot be opened or written; the message names the destination and the system error.
public struct AuditLogError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, for people.
    public let message: String

    /// Creates an error.
    /// - Parameters:
    ///   - message: What went wrong.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String {
        message
    }
}
