#!/usr/bin/env bash
# Installs the system tools the tests call when they are missing: Debian's docker-compose
# (1.29; it validates docker-compose.yml without any Docker engine). Silent when present.
set -euo pipefail

command -v docker-compose >/dev/null 2>&1 && exit 0

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: docker-compose is missing; install it (Debian: sudo apt-get install docker-compose)" >&2
  exit 1
fi

# Parallel test workers may call this together: one installs, the others wait for it.
exec 9>/tmp/licensing-ensure-tools.lock
flock -w 600 9 || { echo "ensure-tools: timed out waiting for /tmp/licensing-ensure-tools.lock" >&2; exit 1; }
command -v docker-compose >/dev/null 2>&1 && exit 0

echo "ensure-tools: installing docker-compose with apt-get (Debian package)"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt_get() { apt-get -q -y -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1; }
if ! { apt_get update && apt_get install --no-install-recommends docker-compose; }; then
  cat "$log" >&2
  echo "ensure-tools: apt-get could not install docker-compose (output above)" >&2
  exit 1
fi
command -v docker-compose >/dev/null 2>&1 || { echo "ensure-tools: docker-compose is still not on PATH" >&2; exit 1; }
echo "ensure-tools: $(docker-compose version --short 2>/dev/null || echo installed)"
