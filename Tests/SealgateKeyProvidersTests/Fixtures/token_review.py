"""A stand-in for the Kubernetes API's TokenReview endpoint, for OpenBao's kubernetes auth method.

Usage: token_review.py PORT. A token whose signature is "dmFsaWQ" (base64url of "valid") is authenticated as the service account
payments/sealgate (uid sa-uid-1); any other is not.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class TokenReview(BaseHTTPRequestHandler):
    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["content-length"])))
        spec = review["spec"]
        status = {"authenticated": spec["token"].endswith(".dmFsaWQ"), "audiences": spec.get("audiences") or []}
        if status["authenticated"]:
            status["user"] = {"username": "system:serviceaccount:payments:sealgate", "uid": "sa-uid-1", "groups": ["system:serviceaccounts"]}
        body = json.dumps({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status}).encode()
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), TokenReview).serve_forever()
