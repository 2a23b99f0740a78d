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

import h2.events
import h2.exceptions
from hpack import Encoder
from hyperframe.frame import ContinuationFrame, HeadersFrame

from h2_client import connect

port, ca, cert, key, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
sock, conn = connect(port, ca, cert, key)
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
