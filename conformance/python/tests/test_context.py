"""szc1's context binding, rule by rule (SPEC.md, "Context binding"), a node:crypto known
answer. The committed szc1-context vectors: test_context_vectors.py."""
import struct
import unittest

from szcrypt_ref import szc1
from szcrypt_ref.aes import AES

from .test_szc1 import FIELD, KEY, NONCE, PLAIN

CTX = [b"tenant-a", b"pay_0001"]
KEYS = {"k1": KEY}
# node:crypto, AAD written out by hand: "szc1" 0 "k1" 0 FIELD 0 02 0008 "tenant-a" 0008 "pay_0001"; H = 0x82.
NODE_BOUND = "737a6331826b31a0a1a2a3a4a5a6a7a8a9aaabd2294d1c68fa338e5348b6e2364bedef419d6822931447a58b7b2467d58c14017782c0"


def bound(context=CTX, field=FIELD):
    return szc1.encrypt_bytes(PLAIN, KEY, "k1", field, context=context)


class Encoding(unittest.TestCase):
    def test_known_answer_from_node_crypto(self):
        raw = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD, NONCE, context=CTX)
        self.assertEqual(raw.hex(), NODE_BOUND)
        self.assertEqual(szc1.decrypt_bytes(raw, KEYS, FIELD, CTX), PLAIN)

    def test_flag_is_bit_7_of_the_key_id_length(self):
        raw = bound()
        self.assertEqual(raw[4], 0x80 | 2)
        self.assertTrue(szc1.is_bound(raw))
        self.assertFalse(szc1.is_bound(szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD)))
        self.assertEqual(szc1.encrypt_bytes(PLAIN, KEY, "k" * 64, FIELD, context=CTX)[4], 0xC0)

    def test_associated_data_spelled_out(self):
        raw = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD, NONCE, context=[b"a", b"", b"\x00" * 300])
        aad = b"szc1\x00k1\x00" + FIELD.encode() + b"\x00" + b"\x03" + b"\x00\x01a" + b"\x00\x00" + b"\x01\x2c" + b"\x00" * 300
        cipher = AES.new(KEY, AES.MODE_GCM, nonce=NONCE, mac_len=16)
        cipher.update(aad)
        self.assertEqual(cipher.decrypt_and_verify(raw[19:-16], raw[-16:]), PLAIN)

    def test_parts_are_unambiguous(self):
        shapes = [[b"a", b"bc"], [b"ab", b"c"], [b"abc"], [b"abc", b""], [b"", b"abc"], [b"a\x00\x01b"], [b"a", b"b"]]
        aads = {szc1.associated_data("k1", FIELD, s) for s in shapes}
        self.assertEqual(len(aads), len(shapes))
        self.assertNotIn(szc1.associated_data("k1", FIELD), aads)
        self.assertEqual(szc1.associated_data("k1", FIELD, [b"ab"])[-5:], b"\x01" + struct.pack(">H", 2) + b"ab")


class Limits(unittest.TestCase):
    def test_allowed_extremes(self):
        for context in ([b""], [b"x"] * 16, [bytes(1024)]):
            with self.subTest(parts=len(context), longest=max(map(len, context))):
                self.assertEqual(szc1.decrypt_bytes(bound(context), KEYS, FIELD, context), PLAIN)

    def test_refused_on_both_sides(self):
        good = bound()
        for what, context in [("no parts", []), ("17 parts", [b"x"] * 17), ("1025-byte part", [bytes(1025)]), ("one bare bytes", b"tenant"), ("one bare str", "tenant"), ("a str part", ["tenant"])]:
            with self.subTest(what):
                with self.assertRaises(ValueError) as enc:
                    szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD, context=context)
                self.assertNotIsInstance(enc.exception, szc1.ContextRequired)
                with self.assertRaises(ValueError):
                    szc1.decrypt_bytes(good, KEYS, FIELD, context)


class DecryptionRules(unittest.TestCase):
    def test_rule_2_bound_without_context_is_context_required(self):
        with self.assertRaises(szc1.ContextRequired):
            szc1.decrypt_bytes(bound(), KEYS, FIELD)
        with self.assertRaises(szc1.ContextRequired):
            szc1.decrypt_bytes(bound(), KEYS, FIELD, accept_unbound=True)
        with self.assertRaises(szc1.ContextRequired):  # before any key lookup: the flag is public
            szc1.decrypt_bytes(bound(), {}, FIELD)
        self.assertTrue(issubclass(szc1.ContextRequired, ValueError))

    def test_rule_3_unbound_where_bound_is_refused_unless_accepted(self):
        unbound = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD)
        with self.assertRaises(ValueError) as refused:
            szc1.decrypt_bytes(unbound, KEYS, FIELD, CTX)
        self.assertNotIsInstance(refused.exception, szc1.ContextRequired)
        self.assertEqual(szc1.decrypt_bytes(unbound, KEYS, FIELD, CTX, accept_unbound=True), PLAIN)
        self.assertEqual(szc1.decrypt_bytes(unbound, KEYS, FIELD), PLAIN)

    def test_rule_4_another_record_tenant_field_or_key_fails_alike(self):
        raw = bound()
        for what, keys, field, context in [
            ("other tenant", KEYS, FIELD, [b"tenant-b", b"pay_0001"]),
            ("other record", KEYS, FIELD, [b"tenant-a", b"pay_0002"]),
            ("parts shifted", KEYS, FIELD, [b"tenant-ap", b"ay_0001"]),
            ("one part more", KEYS, FIELD, CTX + [b""]),
            ("other field", KEYS, FIELD + "x", CTX),
            ("other key", {"k1": bytes(32)}, FIELD, CTX),
            ("accept_unbound changes nothing", KEYS, FIELD, [b"tenant-b", b"pay_0001"]),
        ]:
            with self.subTest(what), self.assertRaises(ValueError) as failed:
                szc1.decrypt_bytes(raw, keys, field, context, accept_unbound=what.startswith("accept"))
            self.assertNotIsInstance(failed.exception, szc1.ContextRequired)

    def test_the_flag_is_authenticated(self):
        raw = bound()
        cleared = raw[:4] + bytes([raw[4] & 0x7F]) + raw[5:]
        for context, accept in [(None, False), (CTX, True)]:
            with self.subTest(context=context), self.assertRaises(ValueError):
                szc1.decrypt_bytes(cleared, KEYS, FIELD, context, accept)
        unbound = szc1.encrypt_bytes(PLAIN, KEY, "k1", FIELD)
        with self.assertRaises(ValueError):
            szc1.decrypt_bytes(unbound[:4] + bytes([unbound[4] | 0x80]) + unbound[5:], KEYS, FIELD, CTX)

    def test_text_form(self):
        token = szc1.encrypt_text("héllo", KEY, "k1", FIELD, context=CTX)
        self.assertEqual(szc1.decrypt_text(token, KEYS, FIELD, CTX), "héllo")
        with self.assertRaises(szc1.ContextRequired):
            szc1.decrypt_text(token, KEYS, FIELD)

    def test_bad_header_lengths(self):
        raw = bound()
        for h in (0x80, 0x80 | 65, 0xFF):
            with self.subTest(h=h), self.assertRaises(ValueError) as failed:
                szc1.decrypt_bytes(raw[:4] + bytes([h]) + raw[5:], KEYS, FIELD, CTX)
            self.assertNotIsInstance(failed.exception, szc1.ContextRequired)

