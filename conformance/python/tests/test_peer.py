"""The reference peer's protocol, context binding included (IMPLEMENTERS.md), over a real
subprocess started as the runner starts it: `python3 path/to/conformance/python peer`."""
import json
import subprocess
import sys
import unittest

from szcrypt_ref_tools import peer

from .support import PYTHON_DIR

KEY_SPEC = "hex:" + "11" * 32
FIELD = "sz.examples.v1.Payment.card_number"
CTX = ["74656e616e742d61", "7061795f30303031"]  # tenant-a, pay_0001


def szc1(op, **extra):
    return {"op": op, "format": "szc1", "type": "string", "keySpec": KEY_SPEC, "keyId": "k1", "fieldName": FIELD, **extra}


class Protocol(unittest.TestCase):
    def test_hello_lists_szc1_context(self):
        hello = peer.handle({"op": "hello"})
        self.assertTrue(hello["ok"])
        self.assertEqual(hello["formats"], ["legacy-cbc", "szc1", "szc1-context"])

    def test_context_round_trip_and_refusals(self):
        enc = peer.handle(szc1("encrypt", plaintext="héllo", context=CTX))
        self.assertTrue(enc["ok"])
        token = enc["token"]
        self.assertEqual(peer.handle(szc1("decrypt", token=token, context=CTX)), {"ok": True, "plaintext": "héllo"})
        self.assertEqual(peer.handle(szc1("decrypt", token=token)), {"ok": False, "error": "context required", "contextRequired": True})
        other = peer.handle(szc1("decrypt", token=token, context=[CTX[0], "00"]))
        self.assertEqual(other, {"ok": False, "error": "decrypt failed"})

    def test_unbound_where_bound(self):
        token = peer.handle(szc1("encrypt", plaintext="x"))["token"]
        self.assertEqual(peer.handle(szc1("decrypt", token=token, context=CTX)), {"ok": False, "error": "decrypt failed"})
        self.assertEqual(peer.handle(szc1("decrypt", token=token, context=CTX, acceptUnbound=True)), {"ok": True, "plaintext": "x"})
        self.assertEqual(peer.handle(szc1("decrypt", token=token, context=None)), {"ok": True, "plaintext": "x"})

    def test_bytes_with_context(self):
        enc = peer.handle({**szc1("encrypt", plaintextHex="00ff", context=CTX), "type": "bytes"})
        self.assertEqual(bytes.fromhex(enc["tokenHex"])[4] & 0x80, 0x80)
        dec = peer.handle({**szc1("decrypt", tokenHex=enc["tokenHex"], context=CTX), "type": "bytes"})
        self.assertEqual(dec, {"ok": True, "plaintextHex": "00ff"})

    def test_bad_context_and_legacy_with_context_are_refused(self):
        self.assertFalse(peer.handle(szc1("encrypt", plaintext="x", context=["00"] * 17))["ok"])
        self.assertFalse(peer.handle(szc1("encrypt", plaintext="x", context=[]))["ok"])
        legacy = {"op": "encrypt", "format": "legacy-cbc", "type": "string", "keySpec": KEY_SPEC, "plaintext": "x"}
        self.assertFalse(peer.handle({**legacy, "context": CTX})["ok"])
        token = peer.handle(legacy)["token"]
        dec = {"op": "decrypt", "format": "legacy-cbc", "type": "string", "keySpec": KEY_SPEC, "token": token}
        self.assertFalse(peer.handle({**dec, "context": CTX})["ok"])
        self.assertEqual(peer.handle({**dec, "context": CTX, "acceptUnbound": True}), {"ok": True, "plaintext": "x"})


class AsTheRunnerStartsIt(unittest.TestCase):
    def test_folder_launcher_runs_the_peer_from_anywhere(self):
        lines = [{"id": 1, "op": "hello"}, {"id": 2, **szc1("encrypt", plaintext="a", context=CTX)}]
        run = subprocess.run([sys.executable, PYTHON_DIR, "peer"], input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True, cwd="/", timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        answers = [json.loads(x) for x in run.stdout.splitlines()]
        self.assertEqual([a["id"] for a in answers], [1, 2])
        self.assertIn("szc1-context", answers[0]["formats"])
        self.assertTrue(answers[1]["ok"])

    def test_unknown_program_is_a_usage_error(self):
        run = subprocess.run([sys.executable, PYTHON_DIR, "nope"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("usage", run.stderr)
