"""PaymentService in Python (grpcio) without szcrypt's interceptors: it encrypts
each sensitive field itself with szcrypt_ref (the platform page's legacy-cbc, or
szc1), as a Python service on the page's snippet does today.

  /usr/bin/python3 conformance/python interop-server --port 0 --key-spec utf8:…
Prints "listening on 127.0.0.1:PORT" once ready. A request it cannot decrypt is
answered INVALID_ARGUMENT.
"""
import argparse
import signal
import sys
from concurrent import futures

import grpc

from szcrypt_ref_tools.interop_common import authorized, crypt_payment, legacy, payment_id, payments_pb2, payments_pb2_grpc


class PaymentService(payments_pb2_grpc.PaymentServiceServicer):
    def __init__(self, key: bytes, key_id: str | None):
        self.key = key
        self.key_id = key_id

    def _open(self, payment, context):
        try:
            return crypt_payment(payment, self.key, encrypt=False, key_id=self.key_id)
        except Exception:  # noqa: BLE001 - padding, UTF-8, base64: all the same to the caller
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "python: could not decrypt the payment")

    def _seal(self, payment):
        return crypt_payment(payment, self.key, encrypt=True, key_id=self.key_id)

    def Authorize(self, request, context):
        return self._seal(authorized(self._open(request, context)))

    def Upload(self, request_iterator, context):
        ids = [payment_id(self._open(p, context).card_number) for p in request_iterator]
        return payments_pb2.PaymentSummary(count=len(ids), ids=ids)

    def Watch(self, request, context):
        template = self._open(request.template, context)
        for _ in range(request.count):
            yield self._seal(authorized(template))

    def Exchange(self, request_iterator, context):
        for p in request_iterator:
            yield self._seal(authorized(self._open(p, context)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=50051)
    parser.add_argument("--key-spec", required=True, help="hex:…, utf8:… or base64:…")
    parser.add_argument("--szc1-key-id", help="speak szc1 under this key id instead of the page's legacy-cbc")
    args = parser.parse_args()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    payments_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentService(legacy.parse_key_spec(args.key_spec), args.szc1_key_id), server)
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
    sys.exit(0)


if __name__ == "__main__":
    main()
