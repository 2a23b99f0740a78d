import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random bytes from the operating system's CSPRNG, drawn 4 KiB at a time, so one system call serves hundreds of
/// GCM nonces and request ids instead of one or two calls each. Every byte is handed out once and the pool is
/// shared by all threads.
///
/// Like any user-space buffer of randomness it is not fork-safe: a child made by `fork()` without `exec` would hand
/// out its parent's remaining bytes again. sealgate never forks; subprocesses are spawned with `exec`.
public enum RandomBytes {
    private static let capacity = 4096

    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: RandomBytes.capacity)
        /// Bytes before this index were handed out already.
        var next = RandomBytes.capacity
    }

    private static let pool = Mutex(Pool())

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < buffer.count {
            filled += pool.withLock { pool in
                if pool.next == capacity {
                    pool.bytes.withUnsafeMutableBytes(systemRandom)
                    pool.next = 0
                }
                let taken = pool.next..<min(capacity, pool.next + buffer.count - filled)
                pool.bytes.withUnsafeMutableBytes { source in
                    let slice = UnsafeMutableRawBufferPointer(rebasing: source[taken])
                    (buffer.baseAddress! + filled).copyMemory(from: slice.baseAddress!, byteCount: slice.count)
                    // Handed-out bytes do not stay in the pool.
                    slice.initializeMemory(as: UInt8.self, repeating: 0)
                }
                pool.next = taken.upperBound
                return taken.count
            }
        }
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills `buffer` from the kernel; a failure here means the system has no usable randomness, so it stops.
    private static func systemRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Glibc)
        // getentropy(3) (the getrandom system call) takes at most 256 bytes at a time.
        var filled = 0
        while filled < buffer.count {
            let count = min(256, buffer.count - filled)
            precondition(getentropy(buffer.baseAddress! + filled, count) == 0, "getentropy failed with errno \(errno)")
            filled += count
        }
        #else
        arc4random_buf(buffer.baseAddress!, buffer.count)
        #endif
    }
}
