"""The TLS connection with ALPN h2 that the HTTP/2 test clients open (Python's ssl and h2 libraries)."""
import socket
import ssl

import h2.config
import h2.connection


def connect(port, ca, cert, key, **config):
    """A TLS socket to 127.0.0.1:port presenting cert/key, and an h2 client connection whose preface is sent."""
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2"])
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="localhost")
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, **config))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    return sock, conn
