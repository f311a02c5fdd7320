"""Tests of the Python reference: `python3 -m unittest` (or `python3 -m tests`) from conformance/python."""
