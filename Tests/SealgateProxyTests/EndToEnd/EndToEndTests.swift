import Testing
import SealgateTestSupport

/// End-to-end tests: the real `sealgate` process, real TLS over loopback, a real backend process
/// and independent clients (curl, openssl, nghttp). Serialized: each starts its own processes and
/// some measure time or memory, which parallel load on two cores would disturb.
@Suite(.serialized, .requires("curl", "openssl", "python3"))
struct EndToEndTests {}
