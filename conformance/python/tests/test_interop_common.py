"""The interop programs' sensitive fields come from the descriptors' (sz.crypt.v1.sensitive)
option: the same set payments.proto marks, read here from the .proto text itself."""
import os
import re
import unittest

from .support import REPO

try:
    from szcrypt_ref_tools import interop_common as ic
except ImportError as e:  # grpcio or protobuf missing: the interop programs cannot run either
    ic, missing = None, str(e)


@unittest.skipIf(ic is None, "grpcio/protobuf are not installed")
class SensitiveFields(unittest.TestCase):
    def test_the_set_payments_proto_marks(self):
        proto = open(os.path.join(REPO, "proto/sz/examples/v1/payments.proto"), encoding="utf-8").read()
        marked = set()
        for message, body in re.findall(r"message (\w+) \{(.*?)\n\}", proto, re.S):
            for field in re.findall(r"(\w+) = \d+ \[\(sz\.crypt\.v1\.sensitive\) = true\]", body):
                marked.add(f"sz.examples.v1.{message}.{field}")
        self.assertGreater(len(marked), 5)
        self.assertEqual(set(ic.sensitive_fields(ic.payments_pb2.Payment.DESCRIPTOR)), marked)

    def test_round_trip_touches_every_sensitive_value_and_nothing_else(self):
        key = bytes(32)
        for n in (0, 1):
            p = ic.sample(n)
            seen = []
            sealed = ic.crypt_message(p, lambda v, f: seen.append(f) or "enc:" + v, lambda v, f: seen.append(f) or b"enc:" + v)
            self.assertEqual(sealed.id, p.id)
            self.assertEqual(sealed.billing.city, p.billing.city)
            self.assertEqual(sealed.previous[1].line1, "")  # empty values stay empty
            self.assertEqual(sealed.notes[1], "")
            self.assertTrue(sealed.card_number.startswith("enc:") and sealed.token.startswith(b"enc:"))
            self.assertTrue(all(v.startswith("enc:") for v in sealed.attributes.values()))
            self.assertEqual(sealed.WhichOneof("method"), p.WhichOneof("method"))
            self.assertEqual("sz.examples.v1.Payment.iban" in seen, n % 2 == 0)
            self.assertEqual(seen.count("sz.examples.v1.Address.line1"), 2)  # billing and the non-empty previous
            for key_id in (None, "k1"):
                with self.subTest(n=n, key_id=key_id):
                    self.assertEqual(ic.crypt_payment(ic.crypt_payment(p, key, True, key_id), key, False, key_id), p)
