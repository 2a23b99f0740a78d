"""A CONTINUATION flood (CVE-2024-27316's pattern): one header block in COUNT one-byte fragments, HEADERS then
CONTINUATION frames (Python's h2, hpack and hyperframe libraries, independent of sealgate).

Usage: h2_continuation_flood.py PORT CA CERT KEY COUNT
  Prints one JSON object: the GOAWAY error code received (or null), whether stream 1 got a response, and how many
  fragments went out before the connection ended.
"""
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
from hpack import Encoder
from hyperframe.frame import ContinuationFrame, HeadersFrame

port, ca, cert, key, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
context.set_alpn_protocols(["h2"])
sock = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="localhost")
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
sock.sendall(conn.data_to_send())
block = Encoder().encode([(":method", "GET"), (":path", "/v1/patients"), (":scheme", "https"), (":authority", "localhost"),
                          ("x-pad", "p" * count)])
fragments = [block[i:i + 1] for i in range(len(block))][:count]
sent = 0
try:
    headers = HeadersFrame(1, data=fragments[0])
    sock.sendall(headers.serialize())
    sent = 1
    for fragment in fragments[1:]:
        sock.sendall(ContinuationFrame(1, data=fragment).serialize())
        sent += 1
except (ConnectionError, ssl.SSLError):
    pass
result = {"goaway": None, "answered": False, "sent": sent}
sock.settimeout(3)
try:
    while True:
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ConnectionTerminated):
                result["goaway"] = int(event.error_code)
            elif isinstance(event, h2.events.ResponseReceived):
                result["answered"] = True
        if result["goaway"] is not None:
            break
except (socket.timeout, ConnectionError, ssl.SSLError, h2.exceptions.ProtocolError):
    pass
print(json.dumps(result))
