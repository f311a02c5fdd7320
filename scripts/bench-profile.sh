#!/usr/bin/env bash
# `pnpm bench:profile [SECONDS]`: CPU profiles of issue #18's hot gRPC cases,
# each alone (packages/bench/dist/profile-case.js), in one process and with
# the server in a child (client and server profiled apart), summarised by
# scripts/bench-profile.mjs into .cache/bench-profile/SUMMARY.md. The no-op
# cases are the baseline to subtract. SZCRYPT_BENCH_PROFILE_CASES="bidi-10k no-op,…"
# picks other cases ("SHAPE VARIANT", SHAPE unary-32, unary-1 or bidi-10k).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
pnpm exec turbo run build --filter=@szcrypt/bench... --output-logs=errors-only >/dev/null
out=.cache/bench-profile
rm -rf "$out" && mkdir -p "$out"
summary="$out/SUMMARY.md"
: >"$summary"
specs=("unary-32 szcrypt legacy-cbc" "unary-32 szcrypt szc1" "bidi-10k szcrypt szc1" "unary-32 no-op" "bidi-10k no-op")
[ -z "${SZCRYPT_BENCH_PROFILE_CASES:-}" ] || IFS=, read -ra specs <<<"$SZCRYPT_BENCH_PROFILE_CASES"
for spec in "${specs[@]}"; do
  shape=${spec%% *}
  variant=${spec#* }
  slug="$shape-${variant// /-}"
  for processes in one two; do
    dir="$out/$slug-$processes"
    mkdir -p "$dir/client" "$dir/server"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    line=$(SZCRYPT_BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=$dir/server" SZCRYPT_BENCH_SERVER_CPU_FILE="$dir/server/cpu-us" \
      node --cpu-prof --cpu-prof-dir="$dir/client" packages/bench/dist/profile-case.js "$shape" "$variant" "$processes" "$seconds")
    count=$(echo "$line" | sed -E 's/^[^:]*: ([0-9]+) .*/\1/')
    client_cpu=$(echo "$line" | sed -E 's/.* ([0-9.]+) µs CPU per .*/\1/')
    unit=$([ "$shape" = bidi-10k ] && echo message || echo call)
    {
      echo "### $shape, $variant, $([ "$processes" = one ] && echo "one process" || echo "two processes")"
      echo
      echo "$line (load average $load at the start)"
      for side in client server; do
        f=$(ls "$dir/$side"/*.cpuprofile 2>/dev/null | head -1 || true)
        [ -n "$f" ] || continue
        echo
        echo "#### $([ "$processes" = one ] && echo "client and server (one process)" || echo "$side process")"
        echo
        if [ "$side" = client ]; then cpu=$client_cpu; else cpu=$(awk -v t="$(cat "$dir/server/cpu-us")" -v n="$count" 'BEGIN { printf "%.1f", t / n }'); fi
        [ "$side" = server ] && echo "server: $cpu µs CPU per $unit (process.cpuUsage while serving)" && echo
        node scripts/bench-profile.mjs "$f" --cpu-us-per-unit "$cpu" --unit "$unit" --top 20
      done
      echo
    } >>"$summary"
    echo "profiled $slug ($processes process(es)): $line"
  done
done
echo "wrote $summary"
