/// Read backpressure for one channel: while closed, a `read()` from the pipeline is remembered instead of passed on,
/// and replayed when the gate opens. Shared by the client side and the backend side of an exchange.
struct ReadGate {
    private(set) var isOpen = true
    private var readPending = false

    /// For `read(context:)`: whether to read now (else the read waits for ``open()``).
    mutating func shouldRead() -> Bool {
        guard !self.isOpen else { return true }
        self.readPending = true
        return false
    }

    /// Opens or closes the gate; returns whether a read that waited must be issued now.
    mutating func set(open: Bool) -> Bool {
        self.isOpen = open
        guard open, self.readPending else { return false }
        self.readPending = false
        return true
    }
}
