"""Two requests on one kept-alive TLS connection, the second after a pause (independent of sealgate: Python's ssl).

Usage: keepalive_client.py PORT CA CERT KEY PATH PAUSE
Sends GET PATH, reads the response, sleeps PAUSE seconds (or, when PAUSE is file:NAME, waits until the file NAME
exists), sends GET PATH again on the same connection and reads that response. Prints one JSON object: "responses" (each with status, problem code, connection header) and
"closed" (whether the server closed the connection after the second response).
"""
import json
import os
import socket
import ssl
import sys
import time

port, ca, cert, key, path, pause = sys.argv[1:7]
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
conn = context.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="localhost")
conn.settimeout(10)
buffer = b""


def read_response():
    """Reads one Content-Length framed response; returns (status, headers, body)."""
    global buffer
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            raise SystemExit("connection closed before a response")
        buffer += chunk
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        buffer += chunk
    body, buffer = buffer[:length], buffer[length:]
    return int(lines[0].split(" ")[1]), headers, body


def request():
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    status, headers, body = read_response()
    code = None
    if headers.get("content-type") == "application/problem+json":
        code = json.loads(body).get("code")
    return {"status": status, "code": code, "connection": headers.get("connection")}


responses = [request()]
if pause.startswith("file:"):
    while not os.path.exists(pause[len("file:"):]):
        time.sleep(0.02)
else:
    time.sleep(float(pause))
responses.append(request())
closed = False
try:
    closed = conn.recv(1) == b""
except (ssl.SSLError, OSError):
    closed = True
print(json.dumps({"responses": responses, "closed": closed}))
