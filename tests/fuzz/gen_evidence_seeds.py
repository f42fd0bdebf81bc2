#!/usr/bin/env python3
"""gen_evidence_seeds.py — write the seed corpus of fuzz_evidence.c
(tests/fuzz/corpus/evidence/): small evidence archives in the layout
src/referrals/evidence.c builds (a case document, files, manifest.json
listing every file with its SHA-256 and size, manifest.sig signed with the
throw-away key of tests/fuzz/ledger_key.h), one good archive as tar.gz and
as plain tar (the fuzzer mutates plain tar far better than gzip), and
archives with each kind of problem the verifier reports.

Needs python3-cryptography (Ed25519). The seeds are checked in; run this
only to change them:  python3 tests/fuzz/gen_evidence_seeds.py
"""
import base64
import hashlib
import io
import json
import os
import re
import tarfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "evidence")
NOTE_HEAD = "iprshield evidence v1"  # EVIDENCE_NOTE_HEAD, src/referrals/referrals_internal.h
CASE_ID = "01HZX3K8QW5M2N7P9R4T6V8Y0A"


def signer():
    with open(os.path.join(HERE, "ledger_key.h")) as f:
        skey = re.search(r'"(PRIVATE\+KEY\+[^"]+)"', f.read()).group(1)
    _, _, name, keyid_hex, b64 = skey.split("+", 4)
    seed = base64.b64decode(b64)[1:]
    return name, bytes.fromhex(keyid_hex), Ed25519PrivateKey.from_private_bytes(seed)


def sign_note(text):
    name, keyid, key = signer()
    sig = key.sign(text.encode())
    line = "\u2014 %s %s\n" % (name, base64.b64encode(keyid + sig).decode())
    return (text + "\n" + line).encode()


def manifest(files, case_key="referral_id", kind=None, skip=()):
    m = {case_key: CASE_ID, "created_at": "2026-01-02T03:04:05.000Z", "files": []}
    if kind:
        m["case_kind"] = kind
    for path, data in files:
        if path in skip:
            continue
        m["files"].append({"path": path, "sha256": hashlib.sha256(data).hexdigest(),
                           "size": len(data)})
    return json.dumps(m, indent=2).encode()


def tar(members, gz=False):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w:gz" if gz else "w", format=tarfile.PAX_FORMAT) as t:
        for path, data in members:
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = 1767323045
            ti.mode = 0o644
            t.addfile(ti, io.BytesIO(data))
    return bio.getvalue()


def archive(files, man, sig=None):
    sig = sig if sig is not None else sign_note(
        "%s\n%s\n%s\n" % (NOTE_HEAD, CASE_ID, hashlib.sha256(man).hexdigest()))
    return files + [("manifest.json", man), ("manifest.sig", sig)]


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    files = [
        ("referral.json", json.dumps({"id": CASE_ID, "tlp": "AMBER"}).encode()),
        ("sellers/01HZX3K8QW5M2N7P9R4T6V8Y0B/profile.json", b'{"name":"Shop"}\n'),
        ("sellers/01HZX3K8QW5M2N7P9R4T6V8Y0B/listings.json", b'[{"title":"Watch"}]\n'),
    ]
    good = archive(files, manifest(files))
    write("good.tar.gz", tar(good, gz=True))
    write("good.tar", tar(good))
    changed = [(p, d + b" " if p == "referral.json" else d) for p, d in good]
    write("changed.tar", tar(changed))
    extra = good + [("notes.txt", b"not listed\n"), ("referral.json", b"{}")]
    write("added_duplicate.tar", tar(extra))
    lit_files = [("litigation.json", b'{"case":"x"}'), ("files.json", b"[]")]
    lit = archive(lit_files[:1], manifest(lit_files, "case_id", "litigation"))
    write("litigation_missing.tar", tar(lit))
    write("bad_signature.tar", tar(archive(files, manifest(files), sign_note("other text\n"))))
    write("no_signature.tar", tar(files + [("manifest.json", manifest(files))]))


if __name__ == "__main__":
    main()
