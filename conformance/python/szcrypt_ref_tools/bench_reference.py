"""Throughput of the Python reference (the page's functions with PyCryptodome),
for `pnpm bench` to compare against. Prints one JSON line: ops/s per case."""
import json
import timeit

from szcrypt_ref import legacy


def main():
    key = bytes(range(16))
    out = {}
    for size in (32, 1024):
        text = "x" * size
        token = legacy.encrypt_message(text, key)
        for name, fn in ((f"encrypt-{size}", lambda: legacy.encrypt_message(text, key)), (f"decrypt-{size}", lambda: legacy.decrypt_message(token, key))):
            timer = timeit.Timer(fn)
            n, _ = timer.autorange()
            best = min(timer.repeat(repeat=3, number=n)) / n
            out[name] = 1 / best
    print(json.dumps(out))


if __name__ == "__main__":
    main()
