#!/usr/bin/env bash
# The infrastructure the platform needs on this machine:
#   PostgreSQL 127.0.0.1:5432 and Redis 127.0.0.1:6379 (the machine's own; started here only
#   when they are installed but stopped) and a real Kafka broker (deploy/local/kafka.sh).
#
#   bash deploy/local/infra.sh up       ensure all three are up, then print their addresses
#   bash deploy/local/infra.sh down     stop Kafka only (Postgres and Redis belong to the machine)
#   bash deploy/local/infra.sh status   one line each; exit 1 when any is down
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAFKA_PORT="${KAFKA_PORT:-9092}"

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

# wait_for <what> <seconds> <check command...>
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "infra: $what did not come up within $seconds s" >&2
      exit 1
    fi
    sleep 0.5
  done
}

ensure_postgres() {
  postgres_up && return 0
  command -v pg_ctlcluster >/dev/null || { echo "infra: PostgreSQL is not answering on 127.0.0.1:5432 and pg_ctlcluster is missing" >&2; exit 1; }
  local version
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n1)
  [ -n "$version" ] || { echo "infra: no cluster under /etc/postgresql" >&2; exit 1; }
  echo "infra: starting PostgreSQL $version (pg_ctlcluster)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for "PostgreSQL" 60 postgres_up
}

ensure_redis() {
  redis_up && return 0
  command -v redis-server >/dev/null || { echo "infra: Redis is not answering on 127.0.0.1:6379 and redis-server is missing" >&2; exit 1; }
  echo "infra: starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
  wait_for "Redis" 30 redis_up
}

up() {
  ensure_postgres
  ensure_redis
  bash "$HERE/kafka.sh" start
  cat <<EOT
infra: up
  DATABASE host 127.0.0.1:5432 (postgres://postgres@127.0.0.1:5432/<database>, trust auth)
  REDIS_URL=redis://127.0.0.1:6379
  KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
EOT
}

status() {
  local down=0
  if postgres_up; then echo "postgres: up on 127.0.0.1:5432"; else echo "postgres: down"; down=1; fi
  if redis_up; then echo "redis: up on 127.0.0.1:6379"; else echo "redis: down"; down=1; fi
  bash "$HERE/kafka.sh" status || down=1
  return "$down"
}

case "${1:-}" in
  up) up ;;
  down) bash "$HERE/kafka.sh" stop ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
