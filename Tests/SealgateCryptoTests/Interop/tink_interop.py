#!/usr/bin/env python3
"""Interop helper for SealgateCryptoTests: the independent Tink implementation (PyPI `tink`).

Commands (paths are files; binary values in JSON are standard base64):
  generate OUT_DIR
      Writes gcm.json and siv.json (cleartext Tink JSON keysets, each with an old key and a newer primary)
      and vectors.json: [{"keyset", "keyName", "rulePath", "plaintext", "ciphertext"}], made with both keys;
      the associated data is sealgate's, "sg1|<keyName>|<rulePath>".
  decrypt REQUEST
      REQUEST is {"keyset": <cleartext JSON text>, "items": [{"associatedData", "ciphertext"}]}.
      Prints {"plaintexts": [...], "reencrypted": [...]}; "reencrypted" is Tink's deterministic encryption of
      each plaintext for AES-SIV keysets, else null.
  read-encrypted KEK ENCRYPTED
      Reads an encrypted keyset JSON with the KEK file (cleartext AES256_GCM keyset); prints the cleartext JSON.
  write-encrypted KEK OUT_ENCRYPTED OUT_CLEARTEXT
      Generates an AES256_SIV keyset and writes it encrypted with the KEK and in cleartext.
"""

import base64
import io
import json
import sys

import tink
from tink import aead, cleartext_keyset_handle, daead

aead.register()
daead.register()


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text, validate=True)


def to_json(handle):
    out = io.StringIO()
    cleartext_keyset_handle.write(tink.JsonKeysetWriter(out), handle)
    return out.getvalue()


def from_json(text):
    return cleartext_keyset_handle.read(tink.JsonKeysetReader(text))


def primitive(handle):
    """Returns (encrypt, decrypt) functions for an AEAD or deterministic AEAD keyset."""
    if handle.keyset_info().key_info[0].type_url.endswith("AesSivKey"):
        p = handle.primitive(daead.DeterministicAead)
        return p.encrypt_deterministically, p.decrypt_deterministically, True
    p = handle.primitive(aead.Aead)
    return p.encrypt, p.decrypt, False


def generate(out_dir):
    templates = {
        "gcm": aead.aead_key_templates.AES256_GCM,
        "siv": daead.deterministic_aead_key_templates.AES256_SIV,
    }
    vectors = []
    for name, template in templates.items():
        old = tink.new_keyset_handle(template)
        new = tink.new_keyset_handle(template)
        merged = json.loads(to_json(new))
        merged["key"] = json.loads(to_json(old))["key"] + merged["key"]
        rotated = from_json(json.dumps(merged))
        for index, handle in enumerate([old, rotated]):
            encrypt = primitive(handle)[0]
            for plaintext in [b'"123-45-6789"', b"123", b'{"a":[1,2,{"b":null}]}', b"x" * 40]:
                key_name, rule_path = "py-" + name, "$.field%d" % index
                associated_data = ("sg1|%s|%s" % (key_name, rule_path)).encode()
                vectors.append({
                    "keyset": name,
                    "keyName": key_name,
                    "rulePath": rule_path,
                    "plaintext": b64(plaintext),
                    "ciphertext": b64(encrypt(plaintext, associated_data)),
                })
        with open("%s/%s.json" % (out_dir, name), "w") as f:
            f.write(to_json(rotated))
    with open("%s/vectors.json" % out_dir, "w") as f:
        json.dump(vectors, f)


def decrypt(request_path):
    with open(request_path) as f:
        request = json.load(f)
    encrypt, decrypt_, deterministic = primitive(from_json(request["keyset"]))
    plaintexts, reencrypted = [], []
    for item in request["items"]:
        associated_data = unb64(item["associatedData"])
        plaintext = decrypt_(unb64(item["ciphertext"]), associated_data)
        plaintexts.append(b64(plaintext))
        reencrypted.append(b64(encrypt(plaintext, associated_data)) if deterministic else None)
    print(json.dumps({"plaintexts": plaintexts, "reencrypted": reencrypted}))


def kek_aead(kek_path):
    with open(kek_path) as f:
        return from_json(f.read()).primitive(aead.Aead)


def read_encrypted(kek_path, encrypted_path):
    with open(encrypted_path) as f:
        handle = tink.read_keyset_handle(tink.JsonKeysetReader(f.read()), kek_aead(kek_path))
    print(to_json(handle))


def write_encrypted(kek_path, encrypted_path, cleartext_path):
    handle = tink.new_keyset_handle(daead.deterministic_aead_key_templates.AES256_SIV)
    out = io.StringIO()
    handle.write(tink.JsonKeysetWriter(out), kek_aead(kek_path))
    with open(encrypted_path, "w") as f:
        f.write(out.getvalue())
    with open(cleartext_path, "w") as f:
        f.write(to_json(handle))


if __name__ == "__main__":
    commands = {
        "generate": generate,
        "decrypt": decrypt,
        "read-encrypted": read_encrypted,
        "write-encrypted": write_encrypted,
    }
    commands[sys.argv[1]](*sys.argv[2:])
