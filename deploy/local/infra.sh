#!/usr/bin/env bash
# What the stack needs on this machine: the machine's PostgreSQL and Redis (started if
# they are installed but stopped) and a real Kafka broker (deploy/local/kafka.sh).
#   infra.sh up | down | status        `down` stops only Kafka; Postgres and Redis are the machine's.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

up() {
  if ! postgres_up; then
    echo "postgres: starting"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
    for _ in $(seq 1 60); do postgres_up && break; sleep 0.5; done
    postgres_up || { echo "postgres: did not start" >&2; exit 1; }
  fi
  if ! redis_up; then
    echo "redis: starting"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 40); do redis_up && break; sleep 0.25; done
    redis_up || { echo "redis: did not start" >&2; exit 1; }
  fi
  bash "$HERE/kafka.sh" start
  echo "infrastructure: postgres://postgres@127.0.0.1:5432  redis://127.0.0.1:6379  kafka 127.0.0.1:9092"
}

status() {
  postgres_up && echo "postgres: up" || echo "postgres: down"
  redis_up && echo "redis: up" || echo "redis: down"
  bash "$HERE/kafka.sh" status || true
}

case "${1:-}" in
  up) up ;;
  down) bash "$HERE/kafka.sh" stop ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
