#!/usr/bin/env python3
"""Copies the 96-bit-IV, 128-bit-tag sections of NIST's CAVS GCM response files.

usage: subset.py SRC_DIR DST_DIR
SRC_DIR is cryptography_vectors/ciphers/AES/GCM from Debian's
python3-cryptography-vectors. The header comments and every kept section are
copied line for line; sections with other IV or tag lengths are left out
(szcrypt's GCM takes 12-byte nonces and 16-byte tags only).
"""
import pathlib
import sys

FILES = [f"gcm{kind}{bits}.rsp" for kind in ("EncryptExtIV", "Decrypt") for bits in (128, 192, 256)]


def sections(lines):
    """Yields (header lines, body lines): the preamble (no header) first, then one per [..] block."""
    head, body = [], []
    for line in lines:
        if line.startswith("[") and body:
            yield head, body
            head, body = [], []
        if line.startswith("["):
            head.append(line)
        else:
            body.append(line)
    yield head, body


def main(src, dst):
    for name in FILES:
        lines = (pathlib.Path(src) / name).read_text().splitlines(keepends=True)
        out = []
        for head, body in sections(lines):
            if not head:
                out.extend(body)
                continue
            if "[IVlen = 96]\n" in head and "[Taglen = 128]\n" in head:
                out.extend(head)
                out.extend(body)
        (pathlib.Path(dst) / name).write_text("".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
