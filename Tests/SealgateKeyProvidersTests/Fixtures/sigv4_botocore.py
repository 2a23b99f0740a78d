"""Signs a request with botocore's SigV4 signer (the AWS SDK for Python), as an independent
implementation to compare sealgate's signer with.

Usage: sigv4_botocore.py URL TARGET BODY_FILE TIMESTAMP
  TIMESTAMP like 20261123T101500Z; prints the Authorization header.
"""
import datetime
import sys
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

url, target, body_file, timestamp = sys.argv[1:5]
fixed = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ")


class FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return fixed

    @classmethod
    def now(cls, tz=None):
        return fixed.replace(tzinfo=tz) if tz else fixed


with open(body_file, "rb") as f:
    body = f.read()
request = AWSRequest(
    method="POST",
    url=url,
    data=body,
    headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
)
credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-example")
with mock.patch("botocore.auth.datetime.datetime", FixedDatetime):
    SigV4Auth(credentials, "kms", "eu-west-1").add_auth(request)
print(request.headers["Authorization"])
