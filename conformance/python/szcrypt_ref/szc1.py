"""szc1, szcrypt's authenticated format, as conformance/SPEC.md defines it.

binary:  b"szc1" || len(key_id) || key_id || nonce(12) || ciphertext || tag(16)
text:    "szc1:" + unpadded base64url of the binary without its first 4 bytes
AES-GCM, 16 or 32-byte key, associated data = utf8("szc1\\0" + key_id + "\\0" + field_name).
"""
import base64
import re

from .aes import AES, get_random_bytes

MAGIC = b"szc1"
PREFIX = "szc1:"
NONCE = 12
TAG = 16
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def associated_data(key_id: str, field_name: str) -> bytes:
    return f"szc1\0{key_id}\0{field_name}".encode("utf-8")


def encrypt_bytes(data: bytes, key: bytes, key_id: str, field_name: str, nonce: bytes | None = None) -> bytes:
    if len(key) not in (16, 32):
        raise ValueError("szc1 takes 16 or 32-byte keys")
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("a key id is 1 to 64 of A-Z a-z 0-9 . _ -")
    nonce = nonce if nonce is not None else get_random_bytes(NONCE)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG)
    cipher.update(associated_data(key_id, field_name))
    ct, tag = cipher.encrypt_and_digest(data)
    kid = key_id.encode("ascii")
    return MAGIC + bytes([len(kid)]) + kid + nonce + ct + tag


def decrypt_bytes(data: bytes, keys: dict, field_name: str) -> bytes:
    """keys: key id -> key bytes. Raises ValueError for anything that does not verify."""
    if data[:4] != MAGIC or len(data) < 4 + 1 + 1 + NONCE + TAG:
        raise ValueError("not szc1")
    n = data[4]
    if n == 0 or len(data) < 4 + 1 + n + NONCE + TAG:
        raise ValueError("not szc1")
    key_id = data[5 : 5 + n].decode("latin-1")
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("not szc1")
    key = keys.get(key_id)
    if key is None:
        raise ValueError("unknown key id")
    nonce = data[5 + n : 5 + n + NONCE]
    body = data[5 + n + NONCE :]
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG)
    cipher.update(associated_data(key_id, field_name))
    return cipher.decrypt_and_verify(body[:-TAG], body[-TAG:])


def to_text(raw: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(raw[4:]).decode("ascii").rstrip("=")


def from_text(text: str) -> bytes:
    if not text.startswith(PREFIX):
        raise ValueError("not szc1 text")
    body = text[len(PREFIX) :]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", body) or len(body) % 4 == 1:
        raise ValueError("not unpadded base64url")
    return MAGIC + base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def encrypt_text(message: str, key: bytes, key_id: str, field_name: str, nonce: bytes | None = None) -> str:
    return to_text(encrypt_bytes(message.encode("utf-8"), key, key_id, field_name, nonce))


def decrypt_text(token: str, keys: dict, field_name: str) -> str:
    return decrypt_bytes(from_text(token), keys, field_name).decode("utf-8")
