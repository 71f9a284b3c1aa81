#!/usr/bin/env bash
# Starts the whole system on this machine: infrastructure (Postgres, Redis, a real Kafka
# broker), the four subgraph services and the gateway (each migrates its own database at
# boot), then loads the demo data and prints where everything is. Safe to run again: it
# restarts the services it started before and reuses the infrastructure that is up.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
STATE="${LICENSING_LOCAL_DIR:-$ROOT/.local}"
LOGS="$STATE/logs"
RUN="$STATE/services"
mkdir -p "$LOGS" "$RUN"

step() { printf '==> %s\n' "$*"; }

# Node 22 first on PATH (fetched once into .local/node when the machine's node is older);
# everything below, the services included, runs on it, with dependencies it installed.
# shellcheck source=../../scripts/node22.sh
. scripts/node22.sh
step "node $(node -v)"
bash scripts/deps.sh

step "building"
npm run --silent build

step "infrastructure"
bash deploy/local/infra.sh up

# Secrets are generated once per machine and kept out of git (.local is ignored).
SECRETS="$STATE/secrets.env"
if [ ! -f "$SECRETS" ]; then
  umask 077
  {
    echo "IDENTITY_SIGNING_SECRET=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
    echo "ACCESS_TOKEN_SECRET=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')"
    echo "OPERATOR_TOKEN=op_$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))')"
  } > "$SECRETS"
fi
GIVEN_OPERATOR_TOKEN="${OPERATOR_TOKEN:-}"
set -a
# shellcheck disable=SC1090
. "$SECRETS"
set +a
if [ -n "$GIVEN_OPERATOR_TOKEN" ]; then export OPERATOR_TOKEN="$GIVEN_OPERATOR_TOKEN"; fi
# No usage data to Apollo (the gateway sets this itself as well).
export APOLLO_TELEMETRY_DISABLED=true
export NODE_ENV="${NODE_ENV:-development}" KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

bash deploy/local/stop.sh --services-only >/dev/null 2>&1 || true

start_service() { # name port
  local name=$1 port=$2
  PORT=$port nohup node -r ./scripts/runtime-paths.js "dist/services/$name/src/main.js" >"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

wait_healthy() { # name port
  local name=$1 port=$2 deadline=$((SECONDS + 120))
  until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "!! $name did not become healthy; the end of $LOGS/$name.log:" >&2
      tail -n 40 "$LOGS/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "   $name healthy on :$port"
}

step "mail catcher"
# maildev: the services send their e-mails to its SMTP port (the notifications service's
# default SMTP_HOST/SMTP_PORT); its web page shows them. Stopped with the services.
MAIL_WEB_PORT="${MAIL_WEB_PORT:-1080}"
nohup node_modules/.bin/maildev --ip 127.0.0.1 --smtp 1025 --web-ip 127.0.0.1 --web "$MAIL_WEB_PORT" \
  --mail-directory "$STATE/mail" >"$LOGS/maildev.log" 2>&1 &
echo $! >"$RUN/maildev.pid"
deadline=$((SECONDS + 30))
until curl -fsS -H "accept: text/html" "http://127.0.0.1:$MAIL_WEB_PORT/" >/dev/null 2>&1; do
  if ! kill -0 "$(cat "$RUN/maildev.pid")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
    echo "!! maildev did not start; the end of $LOGS/maildev.log:" >&2
    tail -n 20 "$LOGS/maildev.log" >&2
    exit 1
  fi
  sleep 0.3
done
echo "   maildev: SMTP on :1025, web page http://127.0.0.1:$MAIL_WEB_PORT/index.html"

step "services"
for s in keys:4001 coupons:4002 sessions:4003 notifications:4004; do start_service "${s%%:*}" "${s##*:}"; done
for s in keys:4001 coupons:4002 sessions:4003 notifications:4004; do wait_healthy "${s%%:*}" "${s##*:}"; done
start_service gateway 4000
wait_healthy gateway 4000

step "demo data"
DEMO_API_KEY=$(GATEWAY_URL=http://127.0.0.1:4000/graphql DEMO_STATE="$STATE/demo.json" \
  node -r ./scripts/runtime-paths.js dist/scripts/seed-demo.js)

cat <<EOT

Licensing platform is up.
  Gateway (GraphQL):  http://127.0.0.1:4000/graphql
  Operator token:     $OPERATOR_TOKEN
  Demo vendor DEMO, API key: $DEMO_API_KEY
  Cabinet login:      owner@demo.test, password in $STATE/demo.json
  Sent e-mail:        http://127.0.0.1:$MAIL_WEB_PORT/index.html (maildev; the demo key letter is there)
  Logs:               $LOGS
  Stop:               bash deploy/local/stop.sh

Try:
  curl -s http://127.0.0.1:4000/graphql -H 'content-type: application/json' \\
    -H "authorization: Bearer $DEMO_API_KEY" -d '{"query":"{ products { code name licenseModel } }"}'
EOT
