"""Paths and loaders the tests share."""
import json
import os

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(os.path.dirname(PYTHON_DIR), "vectors")
REPO = os.path.dirname(os.path.dirname(PYTHON_DIR))


def vectors(name: str) -> dict:
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


def cases(name: str):
    """(group, test) of every test of a vector file."""
    doc = vectors(name)
    for group in doc["testGroups"]:
        for test in group["tests"]:
            yield group, test
