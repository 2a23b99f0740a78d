"""Python baseline for SealgateBenchmarks: the same work as sealgate on a document read from stdin.

For each document: parse it with json, seal the canonical JSON of each named top-level field with
AES-256-GCM (cryptography's AESGCM, a Tink-style 5-byte prefix and a random 12-byte nonce, the
associated data sg1|pii|$.<field>), replace it by an sg1: token and serialize the document.
Prints documents per second on one core: the median of five windows of about 0.4 s, as SealgateBenchmarks
measures its own rows.

Usage: python3 python_baseline.py FIELD... < document.json
"""

import base64
import json
import os
import sys
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def main() -> None:
    fields = sys.argv[1:]
    document = sys.stdin.buffer.read()
    cipher = AESGCM(AESGCM.generate_key(bit_length=256))
    prefix = b"\x01\x12\x34\x56\x78"

    def rewrite() -> bytes:
        value = json.loads(document)
        for field in fields:
            plaintext = json.dumps(value[field], separators=(",", ":"), sort_keys=True).encode()
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, plaintext, f"sg1|pii|$.{field}".encode())
            token = base64.urlsafe_b64encode(prefix + nonce + sealed).rstrip(b"=").decode()
            value[field] = "sg1:pii:" + token
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()

    for _ in range(100):
        rewrite()
    rates = []
    for _ in range(5):
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < 0.4:
            for _ in range(100):
                rewrite()
            count += 100
        rates.append(count / (time.perf_counter() - start))
    print(sorted(rates)[2])


if __name__ == "__main__":
    main()
