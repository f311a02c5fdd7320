"""The generator counts a case as rejected only when decryption fails as a decryption fails
(ValueError and its subclasses); a bug in the generator (TypeError, IndexError) must stop the
run instead of passing as a rejection."""
import base64
import json
import unittest

from szcrypt_ref import legacy
from szcrypt_ref_tools.gen_vectors import rejects

KEY = bytes(16)


class Rejects(unittest.TestCase):
    def test_decryption_failures_count(self):
        self.assertTrue(rejects(lambda: legacy.decrypt_bytes(bytes(32), KEY)))  # padding
        self.assertTrue(rejects(lambda: legacy.decrypt_message_strict("!!!!", KEY)))  # base64
        self.assertTrue(rejects(lambda: legacy.decrypt_message(base64.b64encode(legacy.encrypt_bytes(b"\xff", KEY)).decode(), KEY)))  # UTF-8
        self.assertTrue(rejects(lambda: json.loads(legacy.decrypt_message(legacy.encrypt_message("{", KEY), KEY))))  # JSON

    def test_the_pages_lenient_base64_decrypts(self):
        self.assertFalse(rejects(lambda: legacy.decrypt_message(" " + legacy.encrypt_message("x", KEY), KEY)))

    def test_other_exceptions_stop_the_run(self):
        with self.assertRaises(TypeError):
            rejects(lambda: legacy.decrypt_message(None, KEY))
