#!/usr/bin/env bash
# Installs the system tools the tests call, when missing: Debian's docker-compose (it
# validates docker-compose.yml without a Docker engine).
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "docker-compose is missing: install it (Debian: apt-get install docker-compose)" >&2
  exit 1
fi
echo "installing docker-compose (Debian package)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
