"""legacy-cbc (the platform page's snippet) against NIST, Wycheproof and the committed vector files."""
import base64
import json
import unittest

from szcrypt_ref import legacy
from szcrypt_ref.typed import from_typed

from .support import cases, vectors

NIST_IV = bytes(range(16))
NIST_PLAINTEXT = bytes.fromhex(
    "6bc1bee22e409f96e93d7e117393172a" "ae2d8a571e03ac9c9eb76fac45af8e51" "30c81c46a35ce411e5fbc1191a0a52ef" "f69f2445df4f9b17ad2b417be66c3710"
)
# NIST SP 800-38A, F.2.1 (CBC-AES128.Encrypt) and F.2.5 (CBC-AES256.Encrypt).
NIST = [
    ("F.2.1", "2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d" "5086cb9b507219ee95db113a917678b2" "73bed6b8e3c1743b7116e69e22229516" "3ff1caa1681fac09120eca307586e1a7"),
    ("F.2.5", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "f58c4c04d6e5f1ba779eabfb5f7bfbd6" "9cfc4e967edb808d679f777bc6702c7d" "39f23369a9d9bacfa530e26304231461" "b2eb05e2c39be9fcda6c19078c6a9d1b"),
]


class NistKnownAnswers(unittest.TestCase):
    def test_cbc_blocks_match_sp_800_38a(self):
        for name, key, ct in NIST:
            with self.subTest(name):
                raw = legacy.encrypt_bytes(NIST_PLAINTEXT, bytes.fromhex(key), NIST_IV)
                # 64 bytes of plaintext: the IV, NIST's four blocks, then one block of PKCS#7 padding.
                self.assertEqual(raw[:16], NIST_IV)
                self.assertEqual(raw[16:80].hex(), ct)
                self.assertEqual(len(raw), 16 + 80)
                self.assertEqual(legacy.decrypt_bytes(raw, bytes.fromhex(key)), NIST_PLAINTEXT)


class Wycheproof(unittest.TestCase):
    def test_aes_cbc_pkcs5(self):
        doc = vectors("wycheproof/aes_cbc_pkcs5_test.json")
        count = 0
        for group in doc["testGroups"]:
            for t in group["tests"]:
                key, iv, msg, ct = (bytes.fromhex(t[k]) for k in ("key", "iv", "msg", "ct"))
                with self.subTest(tcId=t["tcId"], comment=t["comment"]):
                    count += 1
                    if t["result"] == "valid":
                        self.assertEqual(legacy.encrypt_bytes(msg, key, iv), iv + ct)
                        self.assertEqual(legacy.decrypt_bytes(iv + ct, key), msg)
                    else:
                        with self.assertRaises(ValueError):
                            legacy.decrypt_bytes(iv + ct, key)
        self.assertEqual(count, doc["numberOfTests"])


class VectorFiles(unittest.TestCase):
    def check_strings(self, name):
        n = 0
        for group, t in cases(name):
            key = legacy.parse_key_spec(group["keySpec"])
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                n += 1
                if t["result"] == "valid":
                    self.assertEqual(legacy.decrypt_message_strict(t["token"], key), t["plaintext"])
                    self.assertEqual(legacy.decrypt_message(t["token"], key), t["plaintext"])
                else:
                    with self.assertRaises(ValueError):
                        legacy.decrypt_message_strict(t["token"], key)
                    if "StrictBase64" in t["flags"]:
                        legacy.decrypt_message(t["token"], key)  # the page's lenient decoder takes it
        self.assertGreater(n, 0)

    def test_strings(self):
        self.check_strings("legacy-cbc-strings.json")

    def test_keys(self):
        self.check_strings("legacy-cbc-keys.json")

    def test_bytes(self):
        for group, t in cases("legacy-cbc-bytes.json"):
            key = legacy.parse_key_spec(group["keySpec"])
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                raw = bytes.fromhex(t["tokenHex"])
                if t["result"] == "valid":
                    self.assertEqual(legacy.decrypt_bytes(raw, key).hex(), t["plaintextHex"])
                else:
                    with self.assertRaises(ValueError):
                        legacy.decrypt_bytes(raw, key)

    def test_json(self):
        for group, t in cases("legacy-cbc-json.json"):
            key = legacy.parse_key_spec(group["keySpec"])
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                if t["result"] == "valid":
                    text = legacy.decrypt_message(t["token"], key)
                    self.assertEqual(text, t["plaintext"])
                    self.assertEqual(json.dumps(from_typed(t["value"])), text)
                else:
                    with self.assertRaises(ValueError):
                        json.loads(legacy.decrypt_message(t["token"], key))


class KeySpecs(unittest.TestCase):
    def test_readings(self):
        self.assertEqual(legacy.parse_key_spec("hex:" + "00" * 16), bytes(16))
        self.assertEqual(legacy.parse_key_spec("utf8:39b96ec8e9f303bfbb14917b232866d5"), b"39b96ec8e9f303bfbb14917b232866d5")
        self.assertEqual(legacy.parse_key_spec("base64:" + base64.b64encode(bytes(24)).decode()), bytes(24))

    def test_refusals(self):
        for spec in ["00" * 16, "hex:" + "00" * 15, "utf8:short", "base64:!!!!", "rot13:abc"]:
            with self.subTest(spec=spec[:8]), self.assertRaises(ValueError):
                legacy.parse_key_spec(spec)
