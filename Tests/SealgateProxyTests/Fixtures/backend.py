"""Test backend for sealgate's end-to-end tests: a plain HTTP/1.1 server (Python's http.server,
independent of sealgate) that records every request it receives, complete or not.

Usage: backend.py RECORD_FILE [CERT KEY CLIENT_CA]
  prints the port it listens on (127.0.0.1, ephemeral) on stdout. With CERT, KEY and CLIENT_CA it
  serves HTTPS and requires a client certificate issued by CLIENT_CA.

Every request is appended to RECORD_FILE as one JSON line: method, path, headers (in order,
as received), the client certificate's subject over HTTPS, body length, sha256, the body itself when under 1 MiB (latin-1), and whether
the body arrived complete. Paths:
  /slow?ms=N          wait N milliseconds before answering
  /download?bytes=N   answer with N bytes of body, streamed in 64 KiB writes
  /stall?ms=N         send a head announcing 10 bytes and 5 of them, then wait N milliseconds
  /status?code=N      answer with that status
  /flaky?fail=N       answer 503 to the first N requests to this path (query included), then echo
  .../idle-close?ms=N echo, then close the kept-alive connection if no request follows within N ms
  .../records/ID      POST or PUT stores the body; any method answers the stored body as application/json
  anything else       echo the request as JSON
"""
import hashlib
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RECORD = sys.argv[1]
LOCK = threading.Lock()
STORED = {}
SEEN = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def read_body(self):
        digest, kept, length = hashlib.sha256(), bytearray(), 0

        def take(count):
            nonlocal length
            while count:
                block = self.rfile.read(min(count, 1 << 20))
                if not block:
                    raise EOFError
                digest.update(block)
                length += len(block)
                count -= len(block)
                if length <= 1 << 20:
                    kept.extend(block)

        complete = True
        try:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    line = self.rfile.readline()
                    if not line:
                        raise EOFError
                    size = int(line.split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    take(size)
                    self.rfile.readline()
            else:
                take(int(self.headers.get("content-length") or 0))
        except (EOFError, ValueError, ConnectionError):
            complete = False
        return {
            "body_length": length,
            "body_sha256": digest.hexdigest(),
            "body": kept.decode("latin-1") if length <= 1 << 20 else None,
            "complete": complete,
        }

    def handle_any(self):
        body = self.read_body()
        record = {"method": self.command, "path": self.path, "headers": [[k, v] for k, v in self.headers.items()]}
        if isinstance(self.connection, ssl.SSLSocket):
            subject = dict(item[0] for item in self.connection.getpeercert()["subject"])
            record["client_common_name"] = subject.get("commonName")
        record.update(body)
        with LOCK, open(RECORD, "a") as out:
            out.write(json.dumps(record) + "\n")
        if not body["complete"]:
            self.close_connection = True
            return
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
        if url.path == "/download":
            total = int(query["bytes"])
            self.send_response(200)
            self.send_header("content-type", "application/octet-stream")
            self.send_header("content-length", str(total))
            self.end_headers()
            block = b"x" * 65536
            while total:
                n = min(total, len(block))
                self.wfile.write(block[:n])
                total -= n
            return
        if url.path == "/stall":
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", "10")
            self.end_headers()
            self.wfile.write(b"12345")
            self.wfile.flush()
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self.close_connection = True
            return
        if "/records/" in url.path:
            if self.command in ("POST", "PUT"):
                STORED[url.path] = body["body"].encode("latin-1")
            if url.path in STORED:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(STORED[url.path])))
                self.end_headers()
                self.wfile.write(STORED[url.path])
                return
        status = int(query.get("code", "200")) if url.path == "/status" else 200
        if url.path == "/flaky":
            with LOCK:
                SEEN[self.path] = SEEN.get(self.path, 0) + 1
                status = 503 if SEEN[self.path] <= int(query.get("fail", "1")) else 200
        out = json.dumps(record).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
        if url.path.endswith("/idle-close"):
            # A keep-alive timeout, as gunicorn's or Node's: http.server closes when the next read times out.
            self.connection.settimeout(int(query.get("ms", "1000")) / 1000)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) == 5:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=sys.argv[4])
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
