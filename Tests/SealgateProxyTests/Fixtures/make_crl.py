"""Writes an empty CRL in DER with Python cryptography (independent of sealgate and of OpenSSL's `ca` command).

Usage: make_crl.py CA_CERT CA_KEY OUT NEXT_UPDATE_SECONDS
thisUpdate is an hour before now, nextUpdate NEXT_UPDATE_SECONDS from now (negative: already stale).
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

ca_path, key_path, out, next_update = sys.argv[1:5]
ca = x509.load_pem_x509_certificate(open(ca_path, "rb").read())
key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
now = datetime.datetime.now(datetime.timezone.utc)
crl = (
    x509.CertificateRevocationListBuilder()
    .issuer_name(ca.subject)
    .last_update(now - datetime.timedelta(hours=1))
    .next_update(now + datetime.timedelta(seconds=float(next_update)))
    .add_extension(x509.CRLNumber(1), critical=False)
    .sign(key, hashes.SHA256())
)
open(out, "wb").write(crl.public_bytes(serialization.Encoding.DER))
