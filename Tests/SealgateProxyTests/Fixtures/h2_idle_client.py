"""An HTTP/2 client that keeps its connection open and idle, as browsers and gRPC channels do (Python's h2 library,
independent of sealgate).

Usage: h2_idle_client.py PORT CA CERT KEY PATH SECONDS
  GET PATH on one stream, then wait up to SECONDS on the idle connection. Prints one JSON object: the response
  status, whether a GOAWAY arrived (and its error code), whether the server closed the connection, and how many
  seconds after the response that happened.
"""
import json
import socket
import ssl
import sys
import time

import h2.events

from h2_client import connect

port, ca, cert, key, path, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
sock, conn = connect(port, ca, cert, key)
stream = conn.get_next_available_stream_id()
conn.send_headers(stream, [(":method", "GET"), (":path", path), (":scheme", "https"), (":authority", "localhost")],
                  end_stream=True)
sock.sendall(conn.data_to_send())
result = {"status": 0, "goaway": None, "closed": False, "seconds": None}
answered = None
deadline = time.monotonic() + 30
sock.settimeout(0.2)
while time.monotonic() < deadline:
    try:
        data = sock.recv(65536)
    except socket.timeout:
        continue
    except (ConnectionError, ssl.SSLError):
        data = b""
    if not data:
        result["closed"] = True
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.ResponseReceived):
            result["status"] = int(dict(event.headers)[b":status"])
        elif isinstance(event, h2.events.StreamEnded):
            answered = time.monotonic()
            deadline = answered + seconds
        elif isinstance(event, h2.events.ConnectionTerminated):
            result["goaway"] = int(event.error_code)
    sock.sendall(conn.data_to_send())
if answered is not None:
    result["seconds"] = round(time.monotonic() - answered, 2)
print(json.dumps(result))
