"""A KMS-compatible server for tests: moto in server mode on 127.0.0.1 and an ephemeral port,
with two keys made through boto3 (an independent client).

Usage: kms_server.py INFO_FILE
  once the server answers, writes {"port", "arn", "other_arn", "alias"} as JSON to INFO_FILE,
  then serves until killed.
"""
import json
import os
import socket
import sys
import threading
import time
import urllib.request

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
        break
    except Exception:
        time.sleep(0.05)
kms = boto3.client(
    "kms",
    endpoint_url=f"http://127.0.0.1:{port}",
    region_name="eu-west-1",
    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
)
arn = kms.create_key(Description="sealgate test KEK")["KeyMetadata"]["Arn"]
other = kms.create_key(Description="another key")["KeyMetadata"]["Arn"]
kms.create_alias(AliasName="alias/sealgate-test", TargetKeyId=arn)
with open(sys.argv[1] + ".tmp", "w") as out:
    json.dump({"port": port, "arn": arn, "other_arn": other, "alias": "alias/sealgate-test"}, out)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
