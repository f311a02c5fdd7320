"""Writes szcrypt's conformance vector suites from the Python reference.

Run from the repository root:  /usr/bin/python3 conformance/python gen-vectors
(or `pnpm --filter @szcrypt/conformance vectors`).

Keys and plaintexts are fixed; only IVs are random, so every run writes new
tokens for the same cases. Every invalid case is confirmed rejected (a
ValueError from PyCryptodome, UTF-8, base64 or JSON decoding) before it is
written; the non-strict base64 cases are rejected by the strict decoder that
szcrypt uses, and flagged StrictBase64 where the page's lenient decrypt_message
accepts them.
"""
import argparse
import base64
import hashlib
import json
import math
import os
import platform
import random
import struct

from szcrypt_ref import legacy, szc1
from szcrypt_ref.aes import AES, PYCRYPTODOME_VERSION, get_random_bytes
from szcrypt_ref.typed import to_typed as tag

SCHEMA = "szcrypt-vectors-v1"
COMMAND = "/usr/bin/python3 conformance/python gen-vectors"
GENERATOR = f"conformance/python/szcrypt_ref_tools/gen_vectors.py (PyCryptodome {PYCRYPTODOME_VERSION}, Python {platform.python_version()})"
PAGE_KEY = "39b96ec8e9f303bfbb14917b232866d5"


def fixed_key(label: str, size: int) -> bytes:
    return hashlib.sha256(f"szcrypt conformance key {label}".encode()).digest()[:size]


def key_groups():
    return [
        ("aes-128-hex", f"hex:{fixed_key('a', 16).hex()}"),
        ("aes-192-hex", f"hex:{fixed_key('b', 24).hex()}"),
        ("aes-256-hex", f"hex:{fixed_key('c', 32).hex()}"),
        ("aes-256-page-example-utf8", f"utf8:{PAGE_KEY}"),
        ("aes-256-base64", f"base64:{base64.b64encode(fixed_key('d', 32)).decode()}"),
    ]


STRING_CASES = [
    ("empty", ""),
    ("ascii-1", "a"),
    ("ascii-15", "x" * 15),
    ("ascii-16", "y" * 16),
    ("ascii-17", "z" * 17),
    ("ascii-31", "0123456789abcdefghijklmnopqrstu"),
    ("ascii-32", "0123456789abcdefghijklmnopqrstuv"),
    ("ascii-33", "0123456789abcdefghijklmnopqrstuvw"),
    ("page-example", "This is a secret message"),
    ("page-dict-text", '{"dummy": "dummy"}'),
    ("long-1000", "".join(chr(0x20 + (i * 7) % 95) for i in range(1000)),),
    ("utf8-latin", "Zoë Ångström, café"),
    ("utf8-cjk", "東京都千代田区"),
    ("utf8-astral", "😀🎉 𝄞 𠜎"),
    ("utf8-astral-block-edge", "a" * 14 + "😀"),
    ("utf8-combining", "e\u0301 n\u0303"),
    ("utf8-max", "\uffff\U0010ffff"),
    ("nul", "\x00"),
    ("nul-inside", "a\x00b\x00"),
    ("bom-leading", "\ufeffkept"),
    ("whitespace", " \t\r\n "),
    ("control", "\x01\x1f\x7f"),
]

BYTES_CASES = [
    ("empty", b""),
    ("one", b"\x00"),
    ("len-15", bytes(range(15))),
    ("len-16", bytes(range(16))),
    ("len-17", bytes(range(17))),
    ("all-byte-values", bytes(range(256))),
    ("not-utf8", b"\xff\xfe\xfd\x80"),
    ("zeros-32", bytes(32)),
    ("long-1000", hashlib.shake_256(b"szcrypt bytes").digest(1000)),
]


def rejects(fn) -> bool:
    """Whether fn fails the way a decryption that does not verify fails.

    PyCryptodome's unpad and GCM check, UTF-8 decoding, base64 (binascii.Error)
    and json.loads all raise ValueError or a subclass of it. Anything else (a
    TypeError, an IndexError) is a bug in this generator: let it stop the run
    rather than count it as a rejection.
    """
    try:
        fn()
    except ValueError:
        return True
    return False


def raw_cbc(key: bytes, iv: bytes, blocks: bytes) -> bytes:
    """iv || CBC(blocks) with no padding: lets a case choose its decrypted padding."""
    return iv + AES.new(key, AES.MODE_CBC, iv).encrypt(blocks)


def other_key(key: bytes) -> bytes:
    return hashlib.sha256(b"other " + key).digest()[: len(key)]


class Suite:
    def __init__(self, suite: str, algorithm: str, notes: dict):
        self.doc = {
            "schema": SCHEMA,
            "algorithm": algorithm,
            "suite": suite,
            "generator": GENERATOR,
            "command": COMMAND,
            "numberOfTests": 0,
            "notes": notes,
            "testGroups": [],
        }
        self.next_id = 1

    def group(self, name: str, key_spec: str, **extra) -> list:
        tests: list = []
        self.doc["testGroups"].append({"name": name, "keySpec": key_spec, **extra, "tests": tests})
        return tests

    def add(self, tests: list, case: str, comment: str, result: str, flags=(), **fields):
        tests.append({"tcId": self.next_id, "case": case, "comment": comment, "flags": list(flags), **fields, "result": result})
        self.next_id += 1

    def write(self, path: str):
        self.doc["numberOfTests"] = self.next_id - 1
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.doc, f, indent=2)
            f.write("\n")


def invalid_raw_cases(key: bytes):
    """(case, comment, flags, raw iv||ct) that PyCryptodome must reject under key."""
    iv = get_random_bytes(16)
    good = legacy.encrypt_bytes(b"0123456789abcdefghij", key, iv)  # two blocks
    out = []
    flipped = bytearray(good)
    flipped[-1] ^= 0x01
    out.append(("tampered-last-byte", "last ciphertext byte flipped", ["BadPadding"], bytes(flipped)))
    out.append(("truncated-block", "last 16-byte block removed", ["BadPadding"], good[:-16]))
    out.append(("truncated-partial", "last 5 bytes removed: not whole blocks", ["WrongLength"], good[:-5]))
    out.append(("iv-only", "only the 16-byte IV", ["WrongLength"], good[:16]))
    out.append(("iv-short", "10 bytes, shorter than an IV", ["WrongLength"], good[:10]))
    out.append(("padding-zero", "decrypts to a last byte of 0x00", ["BadPadding"], raw_cbc(key, iv, b"A" * 15 + b"\x00")))
    out.append(("padding-17", "decrypts to a last byte of 0x11", ["BadPadding"], raw_cbc(key, iv, b"A" * 15 + b"\x11")))
    out.append(("padding-inconsistent", "decrypts to ...01 02: the byte before the last 02 is not 02", ["BadPadding"], raw_cbc(key, iv, b"A" * 14 + b"\x01\x02")))
    out.append(("padding-full-block-bad", "a full padding block with one byte wrong", ["BadPadding"], raw_cbc(key, iv, b"\x10" * 15 + b"\x10" + b"\x10" * 7 + b"\x0f" + b"\x10" * 8)))
    wrong = legacy.encrypt_bytes(b"secret under another key", other_key(key))
    out.append(("wrong-key", "made under another key of the same size", ["WrongKey"], wrong))
    return out


def confirm(fn, what):
    if not rejects(fn):
        raise SystemExit(f"PyCryptodome accepted an invalid case: {what}")


def build_strings(out_dir: str):
    suite = Suite("legacy-cbc", "legacy-cbc", {
        "BadPadding": "PKCS#7 padding is invalid after decryption",
        "WrongLength": "not an IV plus whole AES blocks",
        "WrongKey": "made under another key",
        "InvalidUtf8": "the plaintext is not UTF-8",
        "StrictBase64": "Python's lenient b64decode would skip the stray characters; szcrypt and b64decode(validate=True) refuse them",
    })
    for name, spec in key_groups():
        key = legacy.parse_key_spec(spec)
        tests = suite.group(name, spec)
        for case, text in STRING_CASES:
            token = legacy.encrypt_message(text, key)
            assert legacy.decrypt_message(token, key) == text
            suite.add(tests, case, f"{case}: {len(text.encode('utf-8'))} UTF-8 bytes", "valid", plaintext=text, token=token)
        for case, comment, flags, raw in invalid_raw_cases(key):
            # wrong-key tokens can, 1 time in ~256, unpad cleanly: draw another IV then.
            while case == "wrong-key" and not rejects(lambda: legacy.decrypt_bytes(raw, key).decode("utf-8")):
                raw = legacy.encrypt_bytes(b"secret under another key", other_key(key))
            token = base64.b64encode(raw).decode()
            confirm(lambda: legacy.decrypt_message(token, key), f"{name}/{case}")
            suite.add(tests, case, comment, "invalid", flags, token=token)
        for case, raw_plain in [("not-utf8", b"\xff\xfe\xfd"), ("utf8-surrogate", b"\xed\xa0\x80"), ("utf8-overlong", b"\xc0\xaf")]:
            token = base64.b64encode(legacy.encrypt_bytes(raw_plain, key)).decode()
            confirm(lambda: legacy.decrypt_message(token, key), f"{name}/{case}")
            suite.add(tests, case, f"decrypts to bytes that are not UTF-8 ({case})", "invalid", ["InvalidUtf8"], token=token)
        token = legacy.encrypt_message("padded", key)  # 32 bytes: 44 base64 chars ending in '='
        assert token.endswith("=")
        for case, bad in [
            ("base64-stray-char", token[:10] + "!" + token[10:]),
            ("base64-newline", token[:20] + "\n" + token[20:]),
            ("base64-space", " " + token),
            ("base64-no-padding", token.rstrip("=")),
            ("base64-url-alphabet", token.replace("+", "-").replace("/", "_") if ("+" in token or "/" in token) else token[:-2] + "-="),
            ("empty-token", ""),
        ]:
            confirm(lambda: legacy.decrypt_message_strict(bad, key), f"{name}/{case}")
            flags = ["StrictBase64"] if not rejects(lambda: legacy.decrypt_message(bad, key)) else ["WrongLength"]
            suite.add(tests, case, f"{case}: not strict base64 of an IV plus blocks", "invalid", flags, token=bad)
    suite.write(os.path.join(out_dir, "legacy-cbc-strings.json"))


def build_bytes(out_dir: str):
    suite = Suite("legacy-cbc-bytes", "legacy-cbc-bytes", {
        "form": "bytes fields carry raw iv || ciphertext, no base64; plaintextHex and tokenHex are hex",
        "BadPadding": "PKCS#7 padding is invalid after decryption",
        "WrongLength": "not an IV plus whole AES blocks",
        "WrongKey": "made under another key",
    })
    for name, spec in key_groups():
        key = legacy.parse_key_spec(spec)
        tests = suite.group(name, spec)
        for case, data in BYTES_CASES:
            raw = legacy.encrypt_bytes(data, key)
            assert legacy.decrypt_bytes(raw, key) == data
            suite.add(tests, case, f"{case}: {len(data)} bytes", "valid", plaintextHex=data.hex(), tokenHex=raw.hex())
        for case, comment, flags, raw in invalid_raw_cases(key):
            while case == "wrong-key" and not rejects(lambda: legacy.decrypt_bytes(raw, key)):
                raw = legacy.encrypt_bytes(b"secret under another key", other_key(key))
            confirm(lambda: legacy.decrypt_bytes(raw, key), f"{name}/{case}")
            suite.add(tests, case, comment, "invalid", flags, tokenHex=raw.hex())
    suite.write(os.path.join(out_dir, "legacy-cbc-bytes.json"))


def deep(n: int):
    value: object = "bottom"
    for i in range(n):
        value = {f"level{i}": value}
    return value


JSON_CASES = [
    ("page-dict", {"dummy": "dummy"}),
    ("nested", {"a": {"b": [1, 2, {"c": None}]}, "d": [], "e": {}}),
    ("unicode-ensure-ascii", {"name": "Zoë", "city": "東京", "emoji": "😀", "ctrl": "\x00\x1f\x7f", "quote": '"\\/', "ws": "\n\r\t\b\f", "del": "\x7f\x80"}),
    ("unicode-keys", {"ключ": "значение", "😀": 1}),
    ("literals", {"t": True, "f": False, "n": None}),
    ("big-ints", {"big": 2**64, "neg": -(2**70), "safe": 2**53 - 1, "unsafe": 2**53 + 1, "zero": 0, "minus": -5}),
    ("floats", {"a": 0.1, "b": 1e16, "c": -0.0, "d": 1e-07, "e": 1.5, "f": 123456789.123, "g": 1e15, "h": 0.0001, "i": 1e-05, "j": 5e-324, "k": 1.7976931348623157e308, "l": 1.0, "m": 100.0, "n": -2.5e-10, "o": 1.2345678901234567e20, "p": 0.30000000000000004}),
    ("nan-infinity", {"nan": math.nan, "inf": math.inf, "ninf": -math.inf}),
    ("key-order", {"b": 1, "a": 2, "10": 3, "2": 4, "": 5}),
    ("top-level-list", [1, "two", 3.0, None, [True]]),
    ("top-level-string", "just a string"),
    ("empty-dict", {}),
    ("deep-nesting", deep(40)),
    ("lone-surrogate", {"lone": "\ud800x"}),
]


def build_json(out_dir: str):
    suite = Suite("legacy-cbc-json", "legacy-cbc-json", {
        "form": "the page's dicts: encrypt_message(json.dumps(value), key); plaintext is json.dumps's text",
        "value": "typed form of the value: {int: digits} {float: repr} {str} {bool} {null} {list: [...]} {dict: [[key, value], ...]} (dict keeps Python's order)",
        "NotJson": "decrypts, but to text json.loads refuses",
    })
    for name, spec in key_groups()[2:4]:
        key = legacy.parse_key_spec(spec)
        tests = suite.group(name, spec)
        for case, value in JSON_CASES:
            text = json.dumps(value)
            token = legacy.encrypt_message(text, key)
            assert json.loads(legacy.decrypt_message(token, key)) is not None or value is None
            suite.add(tests, case, f"json.dumps of {case}", "valid", value=tag(value), plaintext=text, token=token)
        for case, text in [("not-json", "not json {"), ("trailing-data", '{"a": 1} x'), ("single-quotes", "{'a': 1}")]:
            token = legacy.encrypt_message(text, key)
            confirm(lambda: json.loads(legacy.decrypt_message(token, key)), f"{name}/{case}")
            suite.add(tests, case, f"decrypts to text json.loads refuses ({case})", "invalid", ["NotJson"], token=token)
    suite.write(os.path.join(out_dir, "legacy-cbc-json.json"))


def build_keys(out_dir: str):
    suite = Suite("legacy-cbc-keys", "legacy-cbc", {
        "reading": "the page's example key b'39b96ec8e9f303bfbb14917b232866d5' read two ways: utf8: (32 bytes, AES-256, as the snippet uses it) and hex: (16 bytes, AES-128, as its generator prints keys)",
        "OtherReading": "made under the other reading of the same text: must not decrypt",
    })
    readings = [("page-key-utf8-aes-256", f"utf8:{PAGE_KEY}"), ("page-key-hex-aes-128", f"hex:{PAGE_KEY}")]
    texts = [("page-example", "This is a secret message"), ("page-dict", json.dumps({"dummy": "dummy"})), ("empty", "")]
    for index, (name, spec) in enumerate(readings):
        key = legacy.parse_key_spec(spec)
        other_spec = readings[1 - index][1]
        other = legacy.parse_key_spec(other_spec)
        tests = suite.group(name, spec)
        for case, text in texts:
            suite.add(tests, case, f"{case} under {spec.split(':')[0]}: reading", "valid", plaintext=text, token=legacy.encrypt_message(text, key))
        for case, text in texts:
            while True:
                token = legacy.encrypt_message(text, other)
                if rejects(lambda: legacy.decrypt_message(token, key)):
                    break
            suite.add(tests, f"other-reading-{case}", f"{case} made under {other_spec.split(':')[0]}: reading", "invalid", ["OtherReading"], token=token)
    suite.write(os.path.join(out_dir, "legacy-cbc-keys.json"))


def build_python_json(out_dir: str):
    """json.dumps text for values a JS serializer finds hard: no encryption involved."""
    suite = Suite("python-json", "python-json-dumps", {
        "form": "plaintext is json.dumps(value) with Python's defaults; value is in the typed form of legacy-cbc-json",
    })
    rng = random.Random(20261127)
    tests = suite.group("floats-random-bits", "")
    for i in range(600):
        x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isnan(x):
            continue
        suite.add(tests, "float-bits", f"random double {i}", "valid", value=tag(x), plaintext=json.dumps(x))
    tests = suite.group("floats-decimal", "")
    for i in range(400):
        x = round(rng.uniform(-1e6, 1e6), rng.randint(0, 12)) * 10.0 ** rng.randint(-30, 30)
        suite.add(tests, "float-decimal", f"decimal-looking double {i}", "valid", value=tag(x), plaintext=json.dumps(x))
    tests = suite.group("floats-edges", "")
    for x in [0.0, -0.0, 1.0, -1.0, 0.5, 1e-4, 1e-5, 9.999999999999999e-5, 1e15, 1e16, 9999999999999998.0, 1e17, 2.0**53, 2.0**53 + 2, 2.0**63, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e21, 1e22, 1e-7, 123e-20, math.inf, -math.inf, math.nan]:
        suite.add(tests, "float-edge", f"float {x!r}", "valid", value=tag(x), plaintext=json.dumps(x))
    tests = suite.group("ints", "")
    for x in [0, 1, -1, 2**31, 2**53 - 1, 2**53, 2**53 + 1, -(2**53) - 1, 2**64, -(2**100), 10**30]:
        suite.add(tests, "int", f"int {x}", "valid", value=tag(x), plaintext=json.dumps(x))
    tests = suite.group("strings", "")
    samples = ["", "plain", "\x00\x01\x1f", "\x7f", "\x80\xff", "\u2028\u2029", "\ufeff", "\uffff", "\U0001f600", "\U0010ffff", '"\\/', "\b\f\n\r\t", "\ud800", "\udfff\ud800"]
    samples += ["".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0x80, 0xd7ff), rng.randint(0xe000, 0xffff), rng.randint(0x10000, 0x10ffff)])) for _ in range(rng.randint(1, 40))) for _ in range(60)]
    for i, text in enumerate(samples):
        suite.add(tests, "string", f"string sample {i}", "valid", value=tag(text), plaintext=json.dumps(text))
    tests = suite.group("structures", "")
    for case, value in JSON_CASES:
        suite.add(tests, case, f"json.dumps of {case}", "valid", value=tag(value), plaintext=json.dumps(value))
    suite.write(os.path.join(out_dir, "python-json.json"))


SZC1_FIELD = "sz.examples.v1.Payment.card_number"


def szc1_groups():
    return [
        ("aes-256-k1", f"base64:{base64.b64encode(fixed_key('szc1-a', 32)).decode()}", "k1"),
        ("aes-128-2026-06", f"hex:{fixed_key('szc1-b', 16).hex()}", "2026-06"),
        ("aes-256-page-example-utf8", f"utf8:{PAGE_KEY}", "page.key_v1"),
    ]


def szc1_invalid(key: bytes, key_id: str, raw: bytes):
    """(case, comment, flags, raw token, field name) that must not decrypt under {key_id: key} for SZC1_FIELD."""
    out = []

    def flip(index):
        b = bytearray(raw)
        b[index] ^= 0x01
        return bytes(b)

    n = len(key_id)
    out.append(("altered-tag", "last tag byte flipped", ["ModifiedTag"], flip(len(raw) - 1), SZC1_FIELD))
    out.append(("altered-nonce", "first nonce byte flipped", ["ModifiedNonce"], flip(5 + n), SZC1_FIELD))
    out.append(("altered-ciphertext", "first ciphertext byte flipped", ["ModifiedCiphertext"], flip(5 + n + szc1.NONCE), SZC1_FIELD))
    altered_id = raw[:5] + bytes([raw[5] ^ 0x01]) + raw[6:]
    out.append(("altered-key-id", "a key id byte changed: an id the keyring does not hold", ["ModifiedKeyId"], altered_id, SZC1_FIELD))
    out.append(("wrong-field", "made for card_number, presented as cardholder", ["WrongField"], raw, "sz.examples.v1.Payment.cardholder"))
    out.append(("wrong-field-empty", "made for card_number, presented with no field name", ["WrongField"], raw, ""))
    other = szc1.encrypt_bytes(b"4111", hashlib.sha256(b"other" + key).digest()[: len(key)], "unknown-id", SZC1_FIELD)
    out.append(("unknown-key-id", "made under a key id the keyring does not hold", ["UnknownKeyId"], other, SZC1_FIELD))
    wrong_key = szc1.encrypt_bytes(b"4111", hashlib.sha256(b"other" + key).digest()[: len(key)], key_id, SZC1_FIELD)
    out.append(("wrong-key", "the right key id, another key", ["WrongKey"], wrong_key, SZC1_FIELD))
    out.append(("truncated-tag", "last 5 bytes removed", ["Truncated"], raw[:-5], SZC1_FIELD))
    out.append(("truncated-header", "only magic, key id and part of the nonce", ["Truncated"], raw[: 5 + n + 4], SZC1_FIELD))
    out.append(("zero-key-id-length", "a key id length of 0", ["Malformed"], raw[:4] + b"\x00" + raw[5:], SZC1_FIELD))
    return out


def build_szc1(out_dir: str):
    texts = Suite("szc1", "szc1", {
        "form": "string fields: 'szc1:' + unpadded base64url; see conformance/SPEC.md",
        "fieldName": "the field's full name, bound in the associated data",
        "ModifiedTag": "a byte of the tag changed", "ModifiedNonce": "a byte of the nonce changed",
        "ModifiedCiphertext": "a byte of the ciphertext changed", "ModifiedKeyId": "a byte of the key id changed",
        "WrongField": "presented for another field than it was made for", "UnknownKeyId": "the keyring has no key with that id",
        "WrongKey": "the key id matches, the key does not", "Truncated": "bytes missing", "Malformed": "not szc1 text",
    })
    binary = Suite("szc1-bytes", "szc1-bytes", {"form": "bytes fields: the raw binary form, as hex (plaintextHex, tokenHex)"})
    for name, spec, key_id in szc1_groups():
        key = legacy.parse_key_spec(spec)
        keys = {key_id: key}
        tests = texts.group(name, spec, keyId=key_id)
        btests = binary.group(name, spec, keyId=key_id)
        for case, text in STRING_CASES:
            token = szc1.encrypt_text(text, key, key_id, SZC1_FIELD)
            assert szc1.decrypt_text(token, keys, SZC1_FIELD) == text
            texts.add(tests, case, f"{case}: {len(text.encode('utf-8'))} UTF-8 bytes", "valid", fieldName=SZC1_FIELD, plaintext=text, token=token)
        for case, data in BYTES_CASES:
            raw = szc1.encrypt_bytes(data, key, key_id, "sz.examples.v1.Payment.token")
            binary.add(btests, case, f"{case}: {len(data)} bytes", "valid", fieldName="sz.examples.v1.Payment.token", plaintextHex=data.hex(), tokenHex=raw.hex())
        raw = szc1.encrypt_bytes("4111-1111-1111-1111".encode(), key, key_id, SZC1_FIELD)
        for case, comment, flags, bad, field in szc1_invalid(key, key_id, raw):
            confirm(lambda: szc1.decrypt_bytes(bad, keys, field), f"szc1/{name}/{case}")
            texts.add(tests, case, comment, "invalid", flags, fieldName=field, token=szc1.to_text(bad))
            binary.add(btests, case, comment, "invalid", flags, fieldName=field, tokenHex=bad.hex())
        good = szc1.to_text(raw)
        for case, bad in [("padded-base64url", good + "=="), ("standard-alphabet", good.replace("-", "+").replace("_", "/") if ("-" in good or "_" in good) else good[:-1] + "+"), ("wrong-prefix", "szc2:" + good[5:]), ("no-prefix", good[5:]), ("prefix-only", "szc1:")]:
            confirm(lambda: szc1.decrypt_text(bad, keys, SZC1_FIELD), f"szc1/{name}/{case}")
            texts.add(tests, case, f"{case}: not szc1 text", "invalid", ["Malformed"], fieldName=SZC1_FIELD, token=bad)
        token = szc1.to_text(szc1.encrypt_bytes(b"\xff\xfe", key, key_id, SZC1_FIELD))
        confirm(lambda: szc1.decrypt_text(token, keys, SZC1_FIELD), f"szc1/{name}/not-utf8")
        texts.add(tests, "not-utf8", "authentic, but the plaintext is not UTF-8", "invalid", ["InvalidUtf8"], fieldName=SZC1_FIELD, token=token)
    texts.write(os.path.join(out_dir, "szc1-strings.json"))
    binary.write(os.path.join(out_dir, "szc1-bytes.json"))


SZC1_BYTES_FIELD = "sz.examples.v1.Payment.token"
TENANT_RECORD = [b"tenant-a", b"pay_0001"]

# (case, context): the valid context shapes of SPEC.md, "Context binding".
CONTEXT_CASES = [
    ("one-part", [b"tenant-a"]),
    ("two-parts", TENANT_RECORD),
    ("empty-part", [b""]),
    ("empty-last-part", [b"tenant-a", b""]),
    ("sixteen-parts", [f"part-{i}".encode() for i in range(16)]),
    ("part-1024-bytes", [b"tenant-a", bytes(range(256)) * 4]),
    ("zero-bytes-in-part", [b"\x00", b"a\x00b"]),
    ("non-ascii-parts", ["Zoë Ångström".encode("utf-8"), "東京 😀".encode("utf-8")]),
]


def hex_context(context):
    return None if context is None else [p.hex() for p in context]


def flip_flag(raw: bytes) -> bytes:
    return raw[:4] + bytes([raw[4] ^ szc1.BOUND]) + raw[5:]


def context_outcome(fn) -> str:
    """"valid", "context-required" or "invalid", as the reference decides: the result a case records."""
    try:
        fn()
    except szc1.ContextRequired:
        return "context-required"
    except ValueError:
        return "invalid"
    return "valid"


def build_szc1_context(out_dir: str):
    suite = Suite("szc1-context", "szc1-context", {
        "form": "szc1 bound to a context (conformance/SPEC.md, 'Context binding'); a test with token/plaintext is a string field (text form), one with tokenHex/plaintextHex a bytes field (binary form)",
        "context": "the receiver's (or, for BadContext, the sender's) context: a list of parts, each as hex, or null for none",
        "acceptUnbound": "the receiver's migration option; false when absent",
        "result": "valid: decrypts to the plaintext; invalid: refused like any undecryptable value (or, for BadContext, encryption refused); context-required: refused as a configuration error, told apart from a decryption failure",
        "OtherContext": "made under another context (another tenant or record)",
        "PartsShifted": "made under [\"a\", \"bc\"], presented under [\"ab\", \"c\"]: the same bytes run together",
        "ContextRequired": "a context-bound value, and the receiver has no context",
        "UnboundWhereBound": "an unbound value, and the receiver has a context",
        "AcceptUnbound": "the receiver has a context and acceptUnbound",
        "FlagFlipped": "bit 7 of the key-id length byte toggled",
        "WrongField": "presented for another field than it was made for",
        "Malformed": "not a well-formed szc1 value",
        "BadContext": "no token: encrypting the plaintext under this context must be refused (0 or more than 16 parts, a part over 1024 bytes)",
    })
    groups = [
        ("aes-128-tenant-key", f"hex:{fixed_key('szc1-ctx-a', 16).hex()}", "tenant-a.2026"),
        ("aes-256-k1", f"base64:{base64.b64encode(fixed_key('szc1-ctx-b', 32)).decode()}", "k1"),
    ]
    for name, spec, key_id in groups:
        key = legacy.parse_key_spec(spec)
        keys = {key_id: key}
        tests = suite.group(name, spec, keyId=key_id)

        def add(case, comment, result, flags, raw, context, field, plain, accept_unbound=False):
            """One string-field and one bytes-field test of raw, each confirmed against the reference first."""
            extra = {"acceptUnbound": True} if accept_unbound else {}
            for text_form in (True, False):
                if text_form:
                    token = szc1.to_text(raw)
                    got = context_outcome(lambda: szc1.decrypt_text(token, keys, field, context, accept_unbound) == plain.decode("utf-8") or bad())
                    fields = {"plaintext": plain.decode("utf-8")} if result == "valid" else {}
                    fields["token"] = token
                else:
                    got = context_outcome(lambda: szc1.decrypt_bytes(raw, keys, field, context, accept_unbound) == plain or bad())
                    fields = {"plaintextHex": plain.hex()} if result == "valid" else {}
                    fields["tokenHex"] = raw.hex()
                if got != result:
                    raise SystemExit(f"szc1-context/{name}/{case}: the reference says {got}, the case says {result}")
                suite.add(tests, case, comment, result, flags, fieldName=field, context=hex_context(context), **extra, **fields)

        def bad():
            raise ValueError("decrypted to another plaintext")

        plain = "4111-1111-1111-1111".encode("utf-8")
        for case, context in CONTEXT_CASES:
            text = f"card {case} Zoë".encode("utf-8")
            add(case, f"bound to {len(context)} part(s) of {sum(map(len, context))} bytes in all", "valid", [], szc1.encrypt_bytes(text, key, key_id, SZC1_FIELD, context=context), context, SZC1_FIELD, text)
            data = bytes(range(17)) + case.encode()
            raw = szc1.encrypt_bytes(data, key, key_id, SZC1_BYTES_FIELD, context=context)
            suite.add(tests, case, f"bytes field, bound to {len(context)} part(s)", "valid", [], fieldName=SZC1_BYTES_FIELD, context=hex_context(context), plaintextHex=data.hex(), tokenHex=raw.hex())
            if szc1.decrypt_bytes(raw, keys, SZC1_BYTES_FIELD, context) != data:
                raise SystemExit(f"szc1-context/{name}/{case}: bytes round trip")

        bound = szc1.encrypt_bytes(plain, key, key_id, SZC1_FIELD, context=TENANT_RECORD)
        unbound = szc1.encrypt_bytes(plain, key, key_id, SZC1_FIELD)
        shifted = szc1.encrypt_bytes(plain, key, key_id, SZC1_FIELD, context=[b"a", b"bc"])
        add("other-tenant", "made for [tenant-a, pay_0001], presented under [tenant-b, pay_0001]", "invalid", ["OtherContext"], bound, [b"tenant-b", b"pay_0001"], SZC1_FIELD, plain)
        add("other-record", "made for [tenant-a, pay_0001], presented under [tenant-a, pay_0002]", "invalid", ["OtherContext"], bound, [b"tenant-a", b"pay_0002"], SZC1_FIELD, plain)
        add("extra-empty-part", "made for [tenant-a, pay_0001], presented under [tenant-a, pay_0001, \"\"]", "invalid", ["OtherContext"], bound, TENANT_RECORD + [b""], SZC1_FIELD, plain)
        add("parts-shifted", "made under [a, bc], presented under [ab, c]", "invalid", ["PartsShifted"], shifted, [b"ab", b"c"], SZC1_FIELD, plain)
        add("wrong-field", "the right context, another field", "invalid", ["WrongField"], bound, TENANT_RECORD, "sz.examples.v1.Payment.cardholder", plain)
        add("other-context-accept-unbound", "acceptUnbound does not loosen a bound value: another record still fails", "invalid", ["OtherContext", "AcceptUnbound"], bound, [b"tenant-a", b"pay_0002"], SZC1_FIELD, plain, True)
        add("context-required", "a bound value, a receiver with no context", "context-required", ["ContextRequired"], bound, None, SZC1_FIELD, plain)
        add("context-required-accept-unbound", "a bound value, a receiver with no context: acceptUnbound changes nothing", "context-required", ["ContextRequired"], bound, None, SZC1_FIELD, plain, True)
        add("unbound-where-bound", "an unbound value, a receiver with a context: no downgrade", "invalid", ["UnboundWhereBound"], unbound, TENANT_RECORD, SZC1_FIELD, plain)
        add("unbound-accepted", "an unbound value, a receiver with a context and acceptUnbound", "valid", ["UnboundWhereBound", "AcceptUnbound"], unbound, TENANT_RECORD, SZC1_FIELD, plain, True)
        add("unbound-no-context", "an unbound value, a receiver with no context: szc1 as before", "valid", [], unbound, None, SZC1_FIELD, plain)
        add("flag-cleared", "a bound value with its flag cleared, a receiver with no context: the AAD differs", "invalid", ["FlagFlipped"], flip_flag(bound), None, SZC1_FIELD, plain)
        add("flag-cleared-accept-unbound", "a bound value with its flag cleared, a receiver with the right context and acceptUnbound", "invalid", ["FlagFlipped", "AcceptUnbound"], flip_flag(bound), TENANT_RECORD, SZC1_FIELD, plain, True)
        add("flag-set", "an unbound value with the flag set, a receiver with a context", "invalid", ["FlagFlipped"], flip_flag(unbound), TENANT_RECORD, SZC1_FIELD, plain)
        add("flag-set-no-context", "an unbound value with the flag set, a receiver with no context: the flag is read before any key", "context-required", ["FlagFlipped", "ContextRequired"], flip_flag(unbound), None, SZC1_FIELD, plain)
        n = len(key_id)
        add("bound-zero-key-id-length", "flag set and a key id length of 0", "invalid", ["Malformed"], bound[:4] + bytes([szc1.BOUND]) + bound[5:], TENANT_RECORD, SZC1_FIELD, plain)
        add("bound-key-id-length-65", "flag set and a key id length of 65", "invalid", ["Malformed"], bound[:4] + bytes([szc1.BOUND | 65]) + bound[5:], TENANT_RECORD, SZC1_FIELD, plain)
        assert bound[4] == szc1.BOUND | n

        for case, context in [("no-parts", []), ("seventeen-parts", [b"p"] * 17), ("part-1025-bytes", [b"tenant-a", bytes(1025)])]:
            confirm(lambda: szc1.encrypt_bytes(plain, key, key_id, SZC1_FIELD, context=context), f"szc1-context/{name}/{case}")
            suite.add(tests, f"bad-context-{case}", f"encryption under {len(context)} part(s), longest {max(map(len, context), default=0)} bytes, must be refused", "invalid", ["BadContext"], fieldName=SZC1_FIELD, context=hex_context(context), plaintext=plain.decode("utf-8"))
    suite.write(os.path.join(out_dir, "szc1-context.json"))


SUITES = {
    "legacy-cbc-strings": build_strings,
    "legacy-cbc-bytes": build_bytes,
    "legacy-cbc-json": build_json,
    "legacy-cbc-keys": build_keys,
    "python-json": build_python_json,
    "szc1": build_szc1,
    "szc1-context": build_szc1_context,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # conformance/python/szcrypt_ref_tools/ -> conformance/vectors, when run in place
    default_out = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "vectors")
    parser.add_argument("--out", default=default_out, help="folder to write the suites to")
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="write only this suite (repeatable); szc1 writes szc1-strings and szc1-bytes")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.only or SUITES:
        SUITES[name](args.out)
    print(f"wrote {', '.join(args.only or SUITES)} to {args.out} with {GENERATOR}")


if __name__ == "__main__":
    main()
