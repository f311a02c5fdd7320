"""szc1, szcrypt's authenticated format, as conformance/SPEC.md defines it.

binary:  b"szc1" || H || key_id || nonce(12) || ciphertext || tag(16)
         H = len(key_id) (1-64) | 0x80 when the value is bound to a context
text:    "szc1:" + unpadded base64url of the binary without its first 4 bytes
AES-GCM, 16 or 32-byte key, associated data:
  unbound  "szc1" 0 key_id 0 field_name
  bound    "szc1" 0 key_id 0 field_name 0 u8(n) (u16be(len(part)) part)*n
"""
import base64
import re
import struct

from .aes import AES, get_random_bytes

MAGIC = b"szc1"
PREFIX = "szc1:"
NONCE = 12
TAG = 16
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
BOUND = 0x80
MAX_PARTS = 16
MAX_PART = 1024


class ContextRequired(ValueError):
    """A context-bound value arrived and the receiver has no context: a configuration error.

    The flag is in the clear and nothing was decrypted, so this may be told apart
    from a decryption failure (SPEC.md, "Context binding", rule 2).
    """


def check_context(context) -> list:
    """The parts of a context as a list of bytes; ValueError for anything SPEC.md does not allow."""
    if isinstance(context, (bytes, bytearray, str)):
        # One bare string is a common slip for [string]: refuse it rather than iterate its characters.
        raise ValueError("a context is a sequence of byte strings, not one string")
    parts = list(context)
    if not 1 <= len(parts) <= MAX_PARTS:
        raise ValueError(f"a context has 1 to {MAX_PARTS} parts")
    for part in parts:
        if not isinstance(part, (bytes, bytearray)):
            raise ValueError("a context part is bytes")
        if len(part) > MAX_PART:
            raise ValueError(f"a context part is at most {MAX_PART} bytes")
    return [bytes(p) for p in parts]


def associated_data(key_id: str, field_name: str, context=None) -> bytes:
    base = f"szc1\0{key_id}\0{field_name}".encode("utf-8")
    if context is None:
        return base
    parts = check_context(context)
    return base + b"\0" + bytes([len(parts)]) + b"".join(struct.pack(">H", len(p)) + p for p in parts)


def encrypt_bytes(data: bytes, key: bytes, key_id: str, field_name: str, nonce: bytes | None = None, context=None) -> bytes:
    if len(key) not in (16, 32):
        raise ValueError("szc1 takes 16 or 32-byte keys")
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("a key id is 1 to 64 of A-Z a-z 0-9 . _ -")
    aad = associated_data(key_id, field_name, context)  # checks the context before anything is encrypted
    nonce = nonce if nonce is not None else get_random_bytes(NONCE)
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG)
    cipher.update(aad)
    ct, tag = cipher.encrypt_and_digest(data)
    kid = key_id.encode("ascii")
    header = len(kid) | (BOUND if context is not None else 0)
    return MAGIC + bytes([header]) + kid + nonce + ct + tag


def decrypt_bytes(data: bytes, keys: dict, field_name: str, context=None, accept_unbound: bool = False) -> bytes:
    """keys: key id -> key bytes. Raises ContextRequired for a bound value without a context,
    ValueError for anything else that does not verify."""
    if context is not None:
        check_context(context)  # a bad context is the receiver's configuration error, whatever arrives
    if data[:4] != MAGIC or len(data) < 4 + 1 + 1 + NONCE + TAG:
        raise ValueError("not szc1")
    n, bound = data[4] & 0x7F, data[4] & BOUND != 0
    if n == 0 or n > 64 or len(data) < 4 + 1 + n + NONCE + TAG:
        raise ValueError("not szc1")
    key_id = data[5 : 5 + n].decode("latin-1")
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("not szc1")
    if bound and context is None:
        raise ContextRequired("a context-bound szc1 value arrived but no context is configured")
    if not bound and context is not None and not accept_unbound:
        raise ValueError("an unbound szc1 value where a context is required")
    key = keys.get(key_id)
    if key is None:
        raise ValueError("unknown key id")
    nonce = data[5 + n : 5 + n + NONCE]
    body = data[5 + n + NONCE :]
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG)
    cipher.update(associated_data(key_id, field_name, context if bound else None))
    return cipher.decrypt_and_verify(body[:-TAG], body[-TAG:])


def is_bound(raw: bytes) -> bool:
    """Whether a well-formed binary szc1 value carries the context flag."""
    return len(raw) > 4 and raw[4] & BOUND != 0


def to_text(raw: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(raw[4:]).decode("ascii").rstrip("=")


def from_text(text: str) -> bytes:
    if not text.startswith(PREFIX):
        raise ValueError("not szc1 text")
    body = text[len(PREFIX) :]
    if not re.fullmatch(r"[A-Za-z0-9_-]*", body) or len(body) % 4 == 1:
        raise ValueError("not unpadded base64url")
    return MAGIC + base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def encrypt_text(message: str, key: bytes, key_id: str, field_name: str, nonce: bytes | None = None, context=None) -> str:
    return to_text(encrypt_bytes(message.encode("utf-8"), key, key_id, field_name, nonce, context))


def decrypt_text(token: str, keys: dict, field_name: str, context=None, accept_unbound: bool = False) -> str:
    return decrypt_bytes(from_text(token), keys, field_name, context, accept_unbound).decode("utf-8")
