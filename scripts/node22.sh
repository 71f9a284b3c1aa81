#!/usr/bin/env bash
# Node 22 LTS for this project's commands, wherever the machine's own node is older.
#
#   . scripts/node22.sh               puts a Node 22 first on this shell's PATH
#   bash scripts/node22.sh CMD ARG…   runs one command with it (e.g. `npx jest <paths>`)
#
# When `node -v` is already 22.12 or newer, nothing changes. Otherwise the pinned Node 22
# below is fetched once from the npm registry (the package node-<os>-<cpu> is Node's own
# binary distribution: bin/node and the headers node-gyp needs), checked against the
# integrity pinned here and the one npm reports, and unpacked into .local/node/ (ignored by
# git). Later runs only prepend its bin/ to PATH. The machine's npm runs on it unchanged.
# NODE22_SKIP=1 leaves PATH alone (a machine whose node is managed some other way).

NODE22_VERSION=22.23.5
# The tarballs' sha512, as the registry's dist.integrity gives them for this version.
NODE22_INTEGRITY_linux_x64='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='
NODE22_INTEGRITY_linux_arm64='sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg=='

# True when the node on PATH is 22.12 or newer.
node22_current_is_enough() {
  local v major minor
  v=$(node -v 2>/dev/null) || return 1
  v=${v#v}
  major=${v%%.*}
  minor=${v#*.}
  minor=${minor%%.*}
  [ "$major" -gt 22 ] 2>/dev/null && return 0
  [ "$major" -eq 22 ] 2>/dev/null && [ "$minor" -ge 12 ] 2>/dev/null
}

node22_fail() {
  echo "node22: $*" >&2
  echo "node22: install Node 22.12 or newer yourself (.nvmrc names 22), then run the command again" >&2
  return 1
}

# Fetches the pinned Node 22 into $1 unless it is there already. One fetch at a time.
node22_fetch() {
  local dir=$1 platform pkg expected tmp got reported
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    *) node22_fail "no pinned Node $NODE22_VERSION for $(uname -s) $(uname -m)"; return 1 ;;
  esac
  pkg="node-$platform@$NODE22_VERSION"
  expected=NODE22_INTEGRITY_${platform//-/_}
  expected=${!expected}
  command -v npm >/dev/null 2>&1 || { node22_fail "npm is needed to fetch $pkg"; return 1; }
  mkdir -p "$(dirname "$dir")"
  exec 8>"$(dirname "$dir")/.fetch.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 900 8 || { node22_fail "timed out waiting for another fetch"; return 1; }; fi
  if [ -x "$dir/bin/node" ]; then exec 8>&-; return 0; fi

  echo "node22: fetching $pkg from the npm registry into $dir (once; the machine has $(node -v 2>/dev/null || echo no node))" >&2
  tmp=$(mktemp -d "$(dirname "$dir")/.fetch.XXXXXX")
  if ! (cd "$tmp" && npm pack "$pkg" --json --loglevel=error >"$tmp/pack.json" 2>"$tmp/npm.err"); then
    cat "$tmp/npm.err" >&2
    rm -rf "$tmp"; exec 8>&-
    node22_fail "npm pack $pkg failed"; return 1
  fi
  reported=$(sed -n 's/^ *"integrity": *"\([^"]*\)".*/\1/p' "$tmp/pack.json" | head -n 1)
  got="sha512-$(openssl dgst -sha512 -binary "$tmp/node-$platform-$NODE22_VERSION.tgz" 2>/dev/null | openssl base64 -A)"
  if [ "$got" != "$expected" ] || [ "$reported" != "$expected" ]; then
    rm -rf "$tmp"; exec 8>&-
    node22_fail "integrity mismatch for $pkg: pinned $expected, npm reported ${reported:-nothing}, tarball is $got"; return 1
  fi
  mkdir "$tmp/unpacked"
  tar -xzf "$tmp/node-$platform-$NODE22_VERSION.tgz" -C "$tmp/unpacked" --strip-components=1
  if [ "$("$tmp/unpacked/bin/node" -v 2>/dev/null)" != "v$NODE22_VERSION" ]; then
    rm -rf "$tmp"; exec 8>&-
    node22_fail "the unpacked $pkg does not run"; return 1
  fi
  rm -rf "$dir"
  mv "$tmp/unpacked" "$dir"
  rm -rf "$tmp"
  exec 8>&-
}

node22_use() {
  [ "${NODE22_SKIP:-}" = 1 ] && return 0
  node22_current_is_enough && return 0
  local root dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="$root/.local/node/v$NODE22_VERSION"
  if [ ! -x "$dir/bin/node" ]; then node22_fetch "$dir" || return 1; fi
  export PATH="$dir/bin:$PATH"
  # node-gyp (a native module built from source) takes the headers from the same distribution.
  export npm_config_nodedir="$dir"
  hash -r
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a command: use Node 22, then run the given command (or print the version).
  set -euo pipefail
  node22_use
  if [ $# -eq 0 ]; then node -v; else exec "$@"; fi
else
  node22_use
fi
