"""`python3 -m tests` from conformance/python: the unittest suite, closed by one
`N passed, N failed, N skipped` line that `pnpm test` adds to its total."""
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
suite = unittest.defaultTestLoader.discover(here, top_level_dir=os.path.dirname(here))
result = unittest.TextTestRunner(verbosity=1).run(suite)
# A test with failing subtests is one failed test, however many of its subtests failed.
failed = len({getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors} | {t.id() for t in result.unexpectedSuccesses})
skipped = len(result.skipped)
passed = result.testsRun - failed - skipped
sys.stdout.write(f"python reference: {passed} passed, {failed} failed, {skipped} skipped\n")
sys.exit(0 if result.wasSuccessful() else 1)
