"""Python's json.dumps text, as the python-json vectors record it, and the typed form round trip."""
import json
import math
import unittest

from szcrypt_ref.typed import from_typed, to_typed

from .support import cases


class JsonDumps(unittest.TestCase):
    def test_python_json_vectors(self):
        n = 0
        for group, t in cases("python-json.json"):
            with self.subTest(group=group["name"], tcId=t["tcId"]):
                n += 1
                self.assertEqual(json.dumps(from_typed(t["value"])), t["plaintext"])
        self.assertGreater(n, 1000)

    def test_typed_round_trip_keeps_int_float_and_order(self):
        value = {"b": 1, "a": 1.0, "n": None, "l": [True, "x", 2**70], "f": -0.0}
        back = from_typed(json.loads(json.dumps(to_typed(value))))
        self.assertEqual(list(back), ["b", "a", "n", "l", "f"])
        self.assertIs(type(back["b"]), int)
        self.assertIs(type(back["a"]), float)
        self.assertEqual(math.copysign(1, back["f"]), -1)
        self.assertEqual(back["l"][2], 2**70)

    def test_nan_and_infinities(self):
        self.assertEqual(json.dumps(from_typed({"float": "nan"})), "NaN")
        self.assertEqual(json.dumps(from_typed({"float": "-inf"})), "-Infinity")
