#!/bin/sh
# Runs one service of the platform from the compiled output.
set -eu
service="${1:?name the service: keys, coupons, sessions, notifications or gateway}"
exec node -r ./scripts/runtime-paths.js "dist/services/${service}/src/main.js"
