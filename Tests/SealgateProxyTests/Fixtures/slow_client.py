"""A deliberately slow TLS client for sealgate's lifecycle tests (independent of sealgate: Python's ssl module).

Usage: slow_client.py MODE PORT CA CERT KEY ARG...
  slow-body PATH INTERVAL COUNT  POST with Content-Length 100000, then one body byte every INTERVAL seconds, COUNT
                                 times (or until the connection ends), then read whatever answer comes
  no-read PATH SECONDS           GET PATH, read the first 16 KiB, stop reading for SECONDS, then read to the end
Prints one JSON object: status (of the response, 0 if none), problem code, bytes received, whether the
connection ended and how long it took in seconds.
"""
import json
import socket
import ssl
import sys
import time

mode, port, ca, cert, key = sys.argv[1:6]
args = sys.argv[6:]
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
raw = socket.create_connection(("127.0.0.1", int(port)))
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
conn = context.wrap_socket(raw, server_hostname="localhost")
start = time.monotonic()
received = bytearray()
ended = False


def read_rest(timeout):
    global ended
    conn.settimeout(timeout)
    try:
        while True:
            block = conn.recv(65536)
            if not block:
                ended = True
                return
            received.extend(block)
    except (ConnectionError, ssl.SSLError):
        ended = True
    except socket.timeout:
        pass


if mode == "slow-body":
    path, interval, count = args[0], float(args[1]), int(args[2])
    conn.sendall(f"POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n".encode())
    conn.settimeout(interval)
    for _ in range(count):
        try:
            conn.sendall(b" ")
            block = conn.recv(65536)
            if not block:
                ended = True
                break
            received.extend(block)
            break
        except socket.timeout:
            continue
        except (ConnectionError, ssl.SSLError):
            ended = True
            break
    read_rest(2)
elif mode == "no-read":
    path, seconds = args[0], float(args[1])
    conn.sendall(f"GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n".encode())
    while len(received) < 16384:
        block = conn.recv(16384 - len(received))
        if not block:
            ended = True
            break
        received.extend(block)
    time.sleep(seconds)
    read_rest(5)

text = bytes(received).decode("latin-1")
status = int(text.split(" ", 2)[1]) if text.startswith("HTTP/1.1 ") else 0
code = None
if '"code":"' in text:
    code = text.split('"code":"', 1)[1].split('"', 1)[0]
print(json.dumps({"status": status, "code": code, "received": len(received), "ended": ended,
                  "seconds": round(time.monotonic() - start, 2)}))
