"""The platform page's legacy-cbc scheme, as its Python snippet behaves.

encrypt_message / decrypt_message have the page's signatures and semantics; the
optional `iv` exists only so that vectors can be reproduced.
"""
import base64

from .aes import AES, get_random_bytes, pad, unpad


def encrypt_bytes(data: bytes, key: bytes, iv: bytes | None = None) -> bytes:
    """Raw iv || AES-CBC(key, iv, PKCS#7(data)): the form of a bytes field."""
    if iv is None:
        iv = get_random_bytes(AES.block_size)
    cipher = AES.new(key, AES.MODE_CBC, iv)
    return iv + cipher.encrypt(pad(data, AES.block_size))


def decrypt_bytes(data: bytes, key: bytes) -> bytes:
    iv, body = data[: AES.block_size], data[AES.block_size :]
    cipher = AES.new(key, AES.MODE_CBC, iv)
    return unpad(cipher.decrypt(body), AES.block_size)


def encrypt_message(message: str, key: bytes, iv: bytes | None = None) -> str:
    """The page's encrypt_message: base64 text of iv || ciphertext."""
    return base64.b64encode(encrypt_bytes(message.encode("utf-8"), key, iv)).decode("utf-8")


def decrypt_message(encrypted_message: str, key: bytes) -> str:
    """The page's decrypt_message, lenient base64 included (b64decode drops stray characters)."""
    return decrypt_bytes(base64.b64decode(encrypted_message), key).decode("utf-8")


def decrypt_message_strict(encrypted_message: str, key: bytes) -> str:
    """decrypt_message with strict base64, as szcrypt decodes."""
    return decrypt_bytes(base64.b64decode(encrypted_message, validate=True), key).decode("utf-8")


def parse_key_spec(spec: str) -> bytes:
    """szcrypt's key specs: hex:, utf8:, base64:."""
    prefix, _, body = spec.partition(":")
    if prefix == "hex":
        key = bytes.fromhex(body)
    elif prefix == "utf8":
        key = body.encode("utf-8")
    elif prefix == "base64":
        key = base64.b64decode(body, validate=True)
    else:
        raise ValueError("key spec needs a hex:, utf8: or base64: prefix")
    if len(key) not in (16, 24, 32):
        raise ValueError("an AES key must be 16, 24 or 32 bytes")
    return key
