#!/usr/bin/env bash
# Sets up a fresh machine for szcrypt: pnpm at the version package.json pins,
# the workspace's npm packages, and with --with-python the Debian packages the
# Python reference, peers and cross-language tests use.
#
#   bash scripts/bootstrap.sh                # enough for `pnpm demo`
#   bash scripts/bootstrap.sh --with-python  # enough for `pnpm test`
set -euo pipefail
cd "$(dirname "$0")/.."

with_python=0
for arg in "$@"; do
  case "$arg" in
    --with-python) with_python=1 ;;
    *) echo "bootstrap.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

pin=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pin" ]; then
  # corepack's signature check fails against this registry; npm works.
  echo "bootstrap: installing pnpm@$pin with npm"
  npm install --global --no-fund --no-audit "pnpm@$pin" >/dev/null
fi

if [ "$with_python" = 1 ]; then
  missing=()
  /usr/bin/python3 -c 'import Cryptodome' 2>/dev/null || /usr/bin/python3 -c 'import Crypto' 2>/dev/null || missing+=(python3-pycryptodome)
  /usr/bin/python3 -c 'import grpc' 2>/dev/null || missing+=(python3-grpcio)
  /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null || missing+=(python3-protobuf)
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  command -v grpc_python_plugin >/dev/null 2>&1 || missing+=(protobuf-compiler-grpc)
  [ -f /usr/include/google/protobuf/descriptor.proto ] || missing+=(libprotobuf-dev)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

pnpm install --frozen-lockfile --reporter=silent
