#!/usr/bin/env bash
# Generates the Python code for PaymentService (and the sensitive option it
# imports) with Debian's protoc and grpc_python_plugin into python/sz: protoc's
# Python imports are absolute (`from sz.crypt.v1 import options_pb2`), so the
# generated `sz` package sits at the project root, next to szcrypt_ref.
# Debian's grpc_tools.protoc is too old for proto3 `optional`; protoc 3.21 is not.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rm -rf "$here/sz"
protoc -I "$root/packages/core/proto" -I "$root/proto" -I /usr/include \
  --python_out="$here" \
  --grpc_python_out="$here" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  "$root/packages/core/proto/sz/crypt/v1/options.proto" "$root/proto/sz/examples/v1/payments.proto"
# The gRPC stubs of options.proto are empty (no services): keep only what is used.
rm -f "$here/sz/crypt/v1/options_pb2_grpc.py"
