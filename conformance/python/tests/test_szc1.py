"""szc1 without a context: the layout of SPEC.md, a node:crypto known answer, Wycheproof's
AES-GCM for the primitive it rests on, and the committed vector files."""
import unittest

from szcrypt_ref import legacy, szc1
from szcrypt_ref.aes import AES

from .support import cases, vectors

KEY = bytes(range(32))
NONCE = bytes(range(0xA0, 0xAC))
FIELD = "sz.examples.v1.Payment.card_number"
PLAIN = b"4111-1111-1111-1111"
# Made with node:crypto (createCipheriv aes-256-gcm) and the AAD written out from SPEC.md by hand.
NODE_UNBOUND = "737a6331026b31a0a1a2a3a4a5a6a7a8a9aaabd2294d1c68fa338e5348b6e2364bedef419d68170a95a331d05d3e2641cfb9161e6ba7"


class Layout(unittest.TestCase):
    def test_known_answer_from_node_crypto(self):
        self.assertEqual(szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD, NONCE).hex(), NODE_UNBOUND)
        self.assertEqual(szc1.decrypt_bytes(bytes.fromhex(NODE_UNBOUND), {"k1": KEY}, FIELD), PLAIN)

    def test_binary_and_text_forms(self):
        raw = szc1.encrypt_bytes(b"abcd", KEY, "k1", FIELD, NONCE)
        self.assertEqual(raw[:4], b"szc1")
        self.assertEqual(raw[4], 2)  # len("k1"), flag clear
        self.assertEqual(raw[5:7], b"k1")
        self.assertEqual(raw[7:19], NONCE)
        self.assertEqual(len(raw), 4 + 1 + 2 + 12 + 4 + 16)
        text = szc1.to_text(raw)
        self.assertTrue(text.startswith("szc1:"))
        self.assertNotIn("=", text)
        self.assertEqual(szc1.from_text(text), raw)

    def test_associated_data_spelled_out(self):
        aad = b"szc1\x00k1\x00" + FIELD.encode()
        raw = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD, NONCE)
        cipher = AES.new(KEY, AES.MODE_GCM, nonce=NONCE, mac_len=16)
        cipher.update(aad)
        self.assertEqual(cipher.decrypt_and_verify(raw[19:-16], raw[-16:]), PLAIN)

    def test_refusals(self):
        raw = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD)
        for what, fn in [
            ("24-byte key", lambda: szc1.encrypt_bytes(PLAIN, bytes(24), "k1", FIELD)),
            ("bad key id", lambda: szc1.encrypt_bytes(PLAIN, KEY, "k 1", FIELD)),
            ("65-char key id", lambda: szc1.encrypt_bytes(PLAIN, KEY, "k" * 65, FIELD)),
            ("other field", lambda: szc1.decrypt_bytes(raw, {"k1": KEY}, FIELD + "x")),
            ("unknown id", lambda: szc1.decrypt_bytes(raw, {"k2": KEY}, FIELD)),
            ("padded text", lambda: szc1.decrypt_text(szc1.to_text(raw) + "=", {"k1": KEY}, FIELD)),
            ("legacy token", lambda: szc1.decrypt_text(legacy.encrypt_message("x", KEY), {"k1": KEY}, FIELD)),
        ]:
            with self.subTest(what), self.assertRaises(ValueError):
                fn()


class Wycheproof(unittest.TestCase):
    def test_aes_gcm_as_szc1_uses_it(self):
        """96-bit nonces, 128-bit tags, 128 and 256-bit keys: the AES-GCM szc1 asks of PyCryptodome."""
        n = 0
        for group in vectors("wycheproof/aes_gcm_test.json")["testGroups"]:
            if group["ivSize"] != 96 or group["tagSize"] != 128 or group["keySize"] not in (128, 256):
                continue
            for t in group["tests"]:
                key, iv, aad, msg, ct, tag = (bytes.fromhex(t[k]) for k in ("key", "iv", "aad", "msg", "ct", "tag"))
                with self.subTest(tcId=t["tcId"]):
                    n += 1
                    cipher = AES.new(key, AES.MODE_GCM, nonce=iv, mac_len=16)
                    cipher.update(aad)
                    if t["result"] == "valid":
                        self.assertEqual(cipher.decrypt_and_verify(ct, tag), msg)
                    else:
                        with self.assertRaises(ValueError):
                            cipher.decrypt_and_verify(ct, tag)
        self.assertGreater(n, 50)


class VectorFiles(unittest.TestCase):
    def test_strings(self):
        for group, t in cases("szc1-strings.json"):
            keys = {group["keyId"]: legacy.parse_key_spec(group["keySpec"])}
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                if t["result"] == "valid":
                    self.assertEqual(szc1.decrypt_text(t["token"], keys, t["fieldName"]), t["plaintext"])
                else:
                    with self.assertRaises(ValueError):
                        szc1.decrypt_text(t["token"], keys, t["fieldName"])

    def test_bytes(self):
        for group, t in cases("szc1-bytes.json"):
            keys = {group["keyId"]: legacy.parse_key_spec(group["keySpec"])}
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                raw = bytes.fromhex(t["tokenHex"])
                if t["result"] == "valid":
                    self.assertEqual(szc1.decrypt_bytes(raw, keys, t["fieldName"]).hex(), t["plaintextHex"])
                else:
                    with self.assertRaises(ValueError):
                        szc1.decrypt_bytes(raw, keys, t["fieldName"])
