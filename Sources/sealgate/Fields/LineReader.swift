import Foundation

/// Reads a file or standard input one line at a time, in memory bounded by the longest line plus one chunk.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// The next line without its `\n`, and whether it had one; `nil` after the last line.
    mutating func next() throws -> (line: [UInt8], terminated: Bool)? {
        var searched = self.start
        while true {
            if let newline = self.buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(self.buffer[self.start..<newline])
                self.start = newline + 1
                return (line, true)
            }
            if self.atEnd {
                guard self.start < self.buffer.count else { return nil }
                let line = Array(self.buffer[self.start...])
                self.start = self.buffer.count
                return (line, false)
            }
            self.buffer.removeFirst(self.start)
            self.start = 0
            searched = self.buffer.count
            let chunk = try self.handle.read(upToCount: 1 << 16) ?? Data()
            if chunk.isEmpty { self.atEnd = true } else { self.buffer.append(contentsOf: chunk) }
        }
    }
}
