"""HTTP/2 requests side by side on one connection (Python's h2 library, independent of sealgate).

Usage: h2_streams.py PORT CA CERT KEY HEADER_BYTES
  Waits until sealgate has the client's SETTINGS acknowledgement (a PING answered after it), then opens stream 1,
  a POST to /slow?ms=800 whose body follows, and stream 3, a GET /v1/patients with one x-big header of
  HEADER_BYTES bytes (h2 sends a block over the frame size as HEADERS + CONTINUATION). Prints one JSON object:
  per stream its status, problem code and reset code, whether a GOAWAY came, and the seconds until stream 3 ended.
"""
import json
import socket
import ssl
import sys
import time

import h2.events

from h2_client import connect

port, ca, cert, key, size = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
sock, conn = connect(port, ca, cert, key, header_encoding="utf-8")
streams = {1: {"status": 0, "code": None, "reset": None, "body": b""}, 3: {"status": 0, "code": None, "reset": None, "body": b""}}
result = {"goaway": None, "seconds": None}
ended = set()
pinged = False
acknowledged = False
start = None
sock.settimeout(0.2)
deadline = time.monotonic() + 15


def authority(path, method, extra=()):
    return [(":method", method), (":path", path), (":scheme", "https"), (":authority", "localhost")] + list(extra)


while time.monotonic() < deadline and len(ended) < 2 and result["goaway"] is None:
    try:
        data = sock.recv(65536)
    except socket.timeout:
        data = None
    except (ConnectionError, ssl.SSLError):
        break
    if data == b"":
        break
    for event in conn.receive_data(data) if data else []:
        if isinstance(event, h2.events.RemoteSettingsChanged) and not pinged:
            conn.ping(b"12345678")
            pinged = True
        elif isinstance(event, h2.events.PingAckReceived) and not acknowledged:
            acknowledged = True
            conn.send_headers(1, authority("/slow?ms=800", "POST", [("content-type", "application/json")]))
            conn.send_headers(3, authority("/v1/patients", "GET", [("x-big", "Z" * size)]), end_stream=True)
            conn.send_data(1, b'{"a": 1}', end_stream=True)
            start = time.monotonic()
        elif isinstance(event, h2.events.ResponseReceived):
            streams[event.stream_id]["status"] = int(dict(event.headers)[":status"])
        elif isinstance(event, h2.events.DataReceived):
            streams[event.stream_id]["body"] += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            ended.add(event.stream_id)
            if event.stream_id == 3:
                result["seconds"] = round(time.monotonic() - start, 2)
        elif isinstance(event, h2.events.StreamReset):
            streams[event.stream_id]["reset"] = int(event.error_code)
            ended.add(event.stream_id)
            if event.stream_id == 3:
                result["seconds"] = round(time.monotonic() - start, 2)
        elif isinstance(event, h2.events.ConnectionTerminated):
            result["goaway"] = int(event.error_code)
    sock.sendall(conn.data_to_send())

for stream in streams.values():
    body = stream.pop("body")
    if body.startswith(b"{"):
        stream["code"] = json.loads(body).get("code")
result["streams"] = streams
print(json.dumps(result))
