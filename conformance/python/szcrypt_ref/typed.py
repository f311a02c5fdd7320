"""The vectors' typed form of JSON values, which keeps int vs float and dict order."""
import math

FLOAT_WORDS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def from_typed(t):
    if "int" in t:
        return int(t["int"])
    if "float" in t:
        word = t["float"]
        return FLOAT_WORDS[word] if word in FLOAT_WORDS else float(word)
    if "str" in t:
        return t["str"]
    if "bool" in t:
        return bool(t["bool"])
    if "null" in t:
        return None
    if "list" in t:
        return [from_typed(v) for v in t["list"]]
    if "dict" in t:
        return {k: from_typed(v) for k, v in t["dict"]}
    raise ValueError("unknown typed value")


def to_typed(value):
    if value is None:
        return {"null": None}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, str):
        return {"str": value}
    if isinstance(value, list):
        return {"list": [to_typed(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[k, to_typed(v)] for k, v in value.items()]}
    raise TypeError(type(value).__name__)
