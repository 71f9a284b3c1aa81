#!/usr/bin/env bash
# Installs the dependencies (npm ci) with the node on PATH when they are missing, older than
# package-lock.json, or were installed by another Node major version: native modules (argon2,
# Nx, the resolver) are installed by the same Node that runs them. The Node that installed
# them is kept in node_modules/.installed-by-node; a tree without it was installed by someone
# else and is installed again. Quiet when nothing is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

marker=node_modules/.installed-by-node
current=$(node -v)
reason=""
if [ ! -d node_modules ]; then
  reason="no node_modules"
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  reason="package-lock.json changed"
elif [ ! -f "$marker" ]; then
  reason="node_modules was installed by an unknown Node"
elif [ "$(cut -d. -f1 <"$marker")" != "${current%%.*}" ]; then
  reason="node_modules was installed by Node $(cat "$marker")"
fi
[ -z "$reason" ] && exit 0

echo "==> dependencies: npm ci with Node $current ($reason)"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p node_modules
echo "$current" >"$marker"
