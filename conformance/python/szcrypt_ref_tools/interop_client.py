"""A Python PaymentService client (grpcio) without szcrypt's interceptors: it
encrypts each sensitive field itself with szcrypt_ref (the page's legacy-cbc,
or szc1) and checks every answer.

  python3 conformance/python interop-client --target HOST:PORT --key-spec SPEC            all four call kinds
  python3 conformance/python interop-client --target HOST:PORT --key-spec SPEC --tamper   bad values; prints each status

Exit code 0 when every check held.
"""
import argparse
import base64
import json
import sys

import grpc

from szcrypt_ref_tools.interop_common import authorized, crypt_payment, legacy, payment_id, payments_pb2, payments_pb2_grpc, sample

TIMEOUT = 10


def check(results, name, ok, detail=""):
    results.append({"check": name, "ok": bool(ok), "detail": detail})


def run_checks(stub, key, key_id=None):
    results = []
    seal = lambda p: crypt_payment(p, key, encrypt=True, key_id=key_id)  # noqa: E731
    unseal = lambda p: crypt_payment(p, key, encrypt=False, key_id=key_id)  # noqa: E731
    try:
        got = unseal(stub.Authorize(seal(sample(0)), timeout=TIMEOUT))
        check(results, "Authorize", got == authorized(sample(0)), "round trip and id")
    except grpc.RpcError as e:
        check(results, "Authorize", False, f"{e.code().name}: {e.details()}")
    try:
        sent = [sample(n) for n in (1, 2, 3)]
        summary = stub.Upload(iter([seal(p) for p in sent]), timeout=TIMEOUT)
        check(results, "Upload", summary.count == 3 and list(summary.ids) == [payment_id(p.card_number) for p in sent], "count and ids")
    except grpc.RpcError as e:
        check(results, "Upload", False, f"{e.code().name}: {e.details()}")
    try:
        got = [unseal(p) for p in stub.Watch(payments_pb2.WatchRequest(count=3, template=seal(sample(4))), timeout=TIMEOUT)]
        check(results, "Watch", got == [authorized(sample(4))] * 3, "three authorized copies")
    except grpc.RpcError as e:
        check(results, "Watch", False, f"{e.code().name}: {e.details()}")
    try:
        sent = [sample(n) for n in (5, 6, 7, 8)]
        got = [unseal(p) for p in stub.Exchange(iter([seal(p) for p in sent]), timeout=TIMEOUT)]
        check(results, "Exchange", got == [authorized(p) for p in sent], "in order")
    except grpc.RpcError as e:
        check(results, "Exchange", False, f"{e.code().name}: {e.details()}")
    return results


def tamper_cases(key):
    """card_number values a server must refuse, each a different cause."""
    good = legacy.encrypt_bytes(b"4111-1111-1111-1111", key)
    flipped = bytearray(good)
    flipped[-1] ^= 0x5A
    other = bytes(len(key))
    while True:  # a wrong key that fails the padding check (all but ~1 in 256)
        wrong = legacy.encrypt_bytes(b"4111-1111-1111-1111", other)
        try:
            legacy.decrypt_bytes(wrong, key)
        except ValueError:
            break
    return {
        "bad-padding": base64.b64encode(bytes(flipped)).decode(),
        "wrong-key": base64.b64encode(wrong).decode(),
        "bad-utf8": base64.b64encode(legacy.encrypt_bytes(b"\xc3\x28\xff", key)).decode(),
        "plaintext": "4111-1111-1111-1111",
        "truncated": base64.b64encode(good[:24]).decode(),
    }


def run_tamper(stub, key):
    results = []
    for cause, value in tamper_cases(key).items():
        payment = crypt_payment(sample(0), key, encrypt=True)
        payment.card_number = value
        try:
            stub.Authorize(payment, timeout=TIMEOUT)
            check(results, f"tamper/{cause}", False, "accepted")
        except grpc.RpcError as e:
            check(results, f"tamper/{cause}", e.code() == grpc.StatusCode.INVALID_ARGUMENT, f"{e.code().name}: {e.details()}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--key-spec", required=True)
    parser.add_argument("--tamper", action="store_true", help="send values that must be refused")
    parser.add_argument("--szc1-key-id", help="speak szc1 under this key id instead of the page's legacy-cbc")
    args = parser.parse_args()
    key = legacy.parse_key_spec(args.key_spec)
    with grpc.insecure_channel(args.target) as channel:
        stub = payments_pb2_grpc.PaymentServiceStub(channel)
        results = run_tamper(stub, key) if args.tamper else run_checks(stub, key, args.szc1_key_id)
    for r in results:
        print(json.dumps(r, ensure_ascii=False), flush=True)
    failed = sum(1 for r in results if not r["ok"])
    print(f"python client: {len(results) - failed} checks held, {failed} did not", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
