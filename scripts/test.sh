#!/usr/bin/env bash
# What the project's one test command runs (README and .ci/run: `npm test`; CI runs it on a
# fresh clone). On Node 22 (scripts/node22.sh fetches it once when the machine's node is
# older) it installs the dependencies when they are missing or were
# installed by another Node (npm ci), starts the real infrastructure it needs, then runs
# every check and every test tier: type checks, lint, unit, integration (real Postgres,
# Redis, Kafka) and end-to-end through the gateway with the contract's own operations.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Node 22 (scripts/node22.sh) and the dependencies installed by it (scripts/deps.sh)"
# shellcheck source=node22.sh
. scripts/node22.sh
echo "node $(node -v), npm $(npm -v)"
bash scripts/deps.sh

step "tools the tests call (docker-compose, to validate docker-compose.yml)"
bash deploy/local/ensure-tools.sh

step "infrastructure: Postgres, Redis and a real Kafka broker"
bash deploy/local/infra.sh up

step "type check (production build and tests)"
npm run --silent build
npx tsc -p tsconfig.json

step "formatting (prettier --check; \`npm run format\` fixes it)"
npx prettier --check . --log-level warn

step "lint (type-aware, promise safety, Nx module boundaries)"
export NX_DAEMON=false NX_NO_CLOUD=true
npx nx show projects >/dev/null # the boundary rule reads the project graph Nx caches here
npx eslint . --max-warnings=0

step "tests: unit, integration, end-to-end"
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
npx jest --ci "$@"
