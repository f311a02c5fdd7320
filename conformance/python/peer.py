#!/usr/bin/env python3
"""szcrypt conformance peer: the Python reference, driven over stdin/stdout.

One JSON object per line in, one per line out, answered in order. The protocol
is documented in conformance/README.md; any implementation that speaks it can
be checked with `pnpm conformance --peer "CMD"`.
"""
import base64
import json
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from szcrypt_ref import legacy  # noqa: E402
from szcrypt_ref.aes import PYCRYPTODOME_VERSION  # noqa: E402
from szcrypt_ref.typed import from_typed, to_typed  # noqa: E402

try:
    from szcrypt_ref import szc1  # noqa: E402
except ImportError:  # pragma: no cover - before szc1 exists
    szc1 = None

FORMATS = ["legacy-cbc"] + (["szc1"] if szc1 is not None else [])


def plaintext_of(req):
    kind = req.get("type", "string")
    if kind == "bytes":
        return bytes.fromhex(req["plaintextHex"])
    if kind == "json":
        return json.dumps(from_typed(req["json"])).encode("utf-8")
    return req["plaintext"].encode("utf-8")


def encrypt(req):
    key = legacy.parse_key_spec(req["keySpec"])
    data = plaintext_of(req)
    fmt = req.get("format", "legacy-cbc")
    if fmt == "legacy-cbc":
        raw = legacy.encrypt_bytes(data, key)
        token_text = base64.b64encode(raw).decode("ascii")
    elif fmt == "szc1" and szc1 is not None:
        raw = szc1.encrypt_bytes(data, key, req["keyId"], req.get("fieldName", ""))
        token_text = szc1.to_text(raw)
    else:
        return {"ok": False, "error": f"unsupported format {fmt}"}
    out = {"ok": True}
    if req.get("type") == "bytes":
        out["tokenHex"] = raw.hex()
    else:
        out["token"] = token_text
    if req.get("type") == "json":
        out["plaintext"] = data.decode("utf-8")
    return out


def decrypt(req):
    key = legacy.parse_key_spec(req["keySpec"])
    fmt = req.get("format", "legacy-cbc")
    kind = req.get("type", "string")
    try:
        if fmt == "legacy-cbc":
            raw = bytes.fromhex(req["tokenHex"]) if kind == "bytes" else base64.b64decode(req["token"], validate=True)
            data = legacy.decrypt_bytes(raw, key)
        elif fmt == "szc1" and szc1 is not None:
            raw = bytes.fromhex(req["tokenHex"]) if kind == "bytes" else szc1.from_text(req["token"])
            data = szc1.decrypt_bytes(raw, {req["keyId"]: key}, req.get("fieldName", ""))
        else:
            return {"ok": False, "error": f"unsupported format {fmt}"}
        if kind == "bytes":
            return {"ok": True, "plaintextHex": data.hex()}
        text = data.decode("utf-8")
        if kind == "json":
            return {"ok": True, "plaintext": text, "json": to_typed(json.loads(text))}
        return {"ok": True, "plaintext": text}
    except Exception:  # noqa: BLE001 - every failure looks the same
        return {"ok": False, "error": "decrypt failed"}


def handle(req):
    op = req.get("op")
    if op == "hello":
        return {"ok": True, "implementation": "szcrypt python reference", "version": f"PyCryptodome {PYCRYPTODOME_VERSION}", "formats": FORMATS}
    if op == "encrypt":
        return encrypt(req)
    if op == "decrypt":
        return decrypt(req)
    return {"ok": False, "error": f"unknown op {op!r}"}


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            resp = handle(req)
        except Exception as exc:  # noqa: BLE001 - report, never die mid-run
            req, resp = {}, {"ok": False, "error": f"peer error: {type(exc).__name__}"}
        resp["id"] = req.get("id")
        out.write(json.dumps(resp) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
