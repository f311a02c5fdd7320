"""PyCryptodome under either of its module names.

Debian's python3-pycryptodome installs `Cryptodome`; pip's pycryptodome installs
`Crypto`. The platform page imports `Crypto`.
"""
try:
    from Cryptodome import __version__ as PYCRYPTODOME_VERSION
    from Cryptodome.Cipher import AES
    from Cryptodome.Random import get_random_bytes
    from Cryptodome.Util.Padding import pad, unpad
except ImportError:  # pragma: no cover - depends on the machine
    from Crypto import __version__ as PYCRYPTODOME_VERSION
    from Crypto.Cipher import AES
    from Crypto.Random import get_random_bytes
    from Crypto.Util.Padding import pad, unpad

__all__ = ["AES", "PYCRYPTODOME_VERSION", "get_random_bytes", "pad", "unpad"]
