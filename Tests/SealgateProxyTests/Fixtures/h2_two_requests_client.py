"""Two requests on one HTTP/2 connection, the second on a new stream after a pause (Python's h2 library,
independent of sealgate).

Usage: h2_two_requests_client.py PORT CA CERT KEY PATH PAUSE
Prints one JSON object: "responses" (status and problem code of each stream) and "closed" (whether the server
closed the connection within 10 seconds after the second response).
"""
import json
import socket
import ssl
import sys
import time

import h2.events

from h2_client import connect

port, ca, cert, key, path, pause = sys.argv[1:7]
sock, conn = connect(port, ca, cert, key)
sock.settimeout(0.2)
closed = False


def receive():
    """One read from the connection: the events it carried, or None once the server has closed it."""
    global closed
    try:
        data = sock.recv(65536)
    except socket.timeout:
        return []
    except (ConnectionError, ssl.SSLError):
        data = b""
    if not data:
        closed = True
        return None
    events = conn.receive_data(data)
    sock.sendall(conn.data_to_send())
    return events


def exchange():
    """Sends GET PATH on a new stream and reads until it ends; returns its status and problem code."""
    stream = conn.get_next_available_stream_id()
    conn.send_headers(stream, [(":method", "GET"), (":path", path), (":scheme", "https"), (":authority", "localhost")],
                      end_stream=True)
    sock.sendall(conn.data_to_send())
    status, body, ended = 0, b"", False
    deadline = time.monotonic() + 10
    while not ended and time.monotonic() < deadline:
        events = receive()
        if events is None:
            break
        for event in events:
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream:
                status = int(dict(event.headers)[b":status"])
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == stream:
                body += event.data
                conn.acknowledge_received_data(event.flow_controlled_length, stream)
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                ended = True
    code = json.loads(body).get("code") if body.startswith(b"{") else None
    return {"status": status, "code": code}


responses = [exchange()]
time.sleep(float(pause))
responses.append(exchange())
deadline = time.monotonic() + 10
while not closed and time.monotonic() < deadline:
    receive()
print(json.dumps({"responses": responses, "closed": closed}))
