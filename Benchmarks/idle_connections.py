"""Opens N mutual-TLS connections to a proxy and holds them idle until standard input closes.

Used by Benchmarks/run to measure the memory a proxy needs per idle connection. Each connection
completes a TLS 1.3 handshake with the client certificate and then sends nothing. Prints
"open N" once every connection is up (N may be lower than asked if some failed), then waits.

Usage: python3 idle_connections.py HOST PORT COUNT CA CERT KEY
"""

import resource
import socket
import ssl
import sys


def main() -> None:
    host, port, count, ca, cert, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:7]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(count + 64, soft)), hard))
    context = ssl.create_default_context(cafile=ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    connections = []
    failures = 0
    for _ in range(count):
        try:
            raw = socket.create_connection((host, port), timeout=10)
            connections.append(context.wrap_socket(raw, server_hostname=host))
        except OSError as error:
            failures += 1
            if failures == 1:
                print(f"connection failed: {error}", file=sys.stderr)
    print(f"open {len(connections)}", flush=True)
    sys.stdin.read()
    for connection in connections:
        connection.close()


if __name__ == "__main__":
    main()
