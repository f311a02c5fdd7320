"""szcrypt conformance peer: the Python reference, driven over stdin/stdout.

    python3 -m szcrypt_ref_tools.peer        (from conformance/python)
    python3 path/to/conformance/python peer  (from anywhere)

One JSON object per line in, one per line out, answered in order. The protocol
is documented in conformance/IMPLEMENTERS.md; any implementation that speaks it
can be checked with `pnpm conformance --peer "CMD"`.
"""
import base64
import json
import sys

from szcrypt_ref import legacy, szc1
from szcrypt_ref.aes import PYCRYPTODOME_VERSION
from szcrypt_ref.typed import from_typed, to_typed

FORMATS = ["legacy-cbc", "szc1", "szc1-context"]


def context_of(req):
    """The request's context: a list of hex parts, or None when absent."""
    parts = req.get("context")
    return None if parts is None else [bytes.fromhex(p) for p in parts]


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
    if fmt == "legacy-cbc" and req.get("context") is not None:
        return {"ok": False, "error": "legacy-cbc cannot be bound to a context"}
    if fmt == "legacy-cbc":
        raw = legacy.encrypt_bytes(data, key)
        token_text = base64.b64encode(raw).decode("ascii")
    elif fmt == "szc1":
        try:
            raw = szc1.encrypt_bytes(data, key, req["keyId"], req.get("fieldName", ""), context=context_of(req))
        except ValueError:  # a key, key id or context SPEC.md does not allow
            return {"ok": False, "error": "encrypt refused"}
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
    if fmt == "legacy-cbc" and req.get("context") is not None and not req.get("acceptUnbound", False):
        return {"ok": False, "error": "decrypt failed"}  # a receiver with a context takes no unbound value (SPEC.md, rule 3)
    try:
        if fmt == "legacy-cbc":
            raw = bytes.fromhex(req["tokenHex"]) if kind == "bytes" else base64.b64decode(req["token"], validate=True)
            data = legacy.decrypt_bytes(raw, key)
        elif fmt == "szc1":
            raw = bytes.fromhex(req["tokenHex"]) if kind == "bytes" else szc1.from_text(req["token"])
            data = szc1.decrypt_bytes(raw, {req["keyId"]: key}, req.get("fieldName", ""), context_of(req), bool(req.get("acceptUnbound", False)))
        else:
            return {"ok": False, "error": f"unsupported format {fmt}"}
        if kind == "bytes":
            return {"ok": True, "plaintextHex": data.hex()}
        text = data.decode("utf-8")
        if kind == "json":
            return {"ok": True, "plaintext": text, "json": to_typed(json.loads(text))}
        return {"ok": True, "plaintext": text}
    except szc1.ContextRequired:  # a configuration error, told apart (SPEC.md, "Context binding")
        return {"ok": False, "error": "context required", "contextRequired": True}
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
