"""The committed szc1-context vectors against the reference, result by result."""
import unittest

from szcrypt_ref import legacy, szc1

from .support import cases


class VectorFile(unittest.TestCase):
    def test_szc1_context(self):
        seen = set()
        for group, t in cases("szc1-context.json"):
            keys = {group["keyId"]: legacy.parse_key_spec(group["keySpec"])}
            context = None if t["context"] is None else [bytes.fromhex(p) for p in t["context"]]
            accept = t.get("acceptUnbound", False)
            seen.add(t["result"])
            with self.subTest(group=group["name"], tcId=t["tcId"], case=t["case"]):
                if "BadContext" in t["flags"]:
                    self.assertNotIn("token", t)
                    with self.assertRaises(ValueError):
                        szc1.encrypt_text(t["plaintext"], keys[group["keyId"]], group["keyId"], t["fieldName"], context=context)
                    continue
                if "token" in t:
                    run = lambda: szc1.decrypt_text(t["token"], keys, t["fieldName"], context, accept)  # noqa: E731
                    expected = t.get("plaintext")
                else:
                    run = lambda: szc1.decrypt_bytes(bytes.fromhex(t["tokenHex"]), keys, t["fieldName"], context, accept).hex()  # noqa: E731
                    expected = t.get("plaintextHex")
                if t["result"] == "valid":
                    self.assertEqual(run(), expected)
                elif t["result"] == "context-required":
                    self.assertRaises(szc1.ContextRequired, run)
                else:
                    with self.assertRaises(ValueError) as failed:
                        run()
                    self.assertNotIsInstance(failed.exception, szc1.ContextRequired)
        self.assertEqual(seen, {"valid", "invalid", "context-required"})
