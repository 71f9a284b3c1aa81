#!/usr/bin/env bash
# Stops what deploy/local/start.sh started. `--services-only` leaves Kafka running.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN="${LICENSING_LOCAL_DIR:-$(pwd)/.local}/services"
for pidfile in "$RUN"/*.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $(basename "$pidfile" .pid)"
  fi
  rm -f "$pidfile"
done
if [ "${1:-}" != "--services-only" ]; then bash deploy/local/infra.sh down; fi
