#!/bin/sh
# Runs one service of the platform from the compiled output:
#   licensing-service keys|coupons|sessions|notifications|gateway
set -eu
service="${1:-}"
case "$service" in
  keys | coupons | sessions | notifications | gateway) ;;
  *)
    echo "usage: licensing-service keys|coupons|sessions|notifications|gateway (got '${service}')" >&2
    exit 64
    ;;
esac
cd /app
exec node -r ./scripts/runtime-paths.js "dist/services/${service}/src/main.js"
