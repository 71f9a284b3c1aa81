#!/usr/bin/env bash
# A real single-node Apache Kafka 3.9.1 broker (KRaft) on 127.0.0.1:9092, without Docker:
# mvn fetches the jars from Maven Central once, plain `java` runs the broker.
#
#   bash deploy/local/kafka.sh start    fetch (once), format (once per data folder), start, wait
#   bash deploy/local/kafka.sh stop     SIGTERM the broker this script started, wait for it
#   bash deploy/local/kafka.sh status   exit 0 when the port answers
#
# Environment (all optional):
#   LICENSING_LOCAL_DIR    state folder; the broker's files go to $LICENSING_LOCAL_DIR/kafka
#                          (default <repo>/.local, which git ignores)
#   KAFKA_JARS_DIR         jar cache (default $HOME/.cache/licensing-kafka/libs)
#   KAFKA_PORT             client port (default 9092); KAFKA_CONTROLLER_PORT (default 9093,
#                          or KAFKA_PORT+1 when KAFKA_PORT is set)
#   KAFKA_START_TIMEOUT    seconds to wait for the port (default 120)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STATE="${LICENSING_LOCAL_DIR:-$ROOT/.local}/kafka"
JARS="${KAFKA_JARS_DIR:-$HOME/.cache/licensing-kafka/libs}"
POM="$HERE/kafka/pom.xml"
LOG4J="$HERE/kafka/log4j.properties"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
CONFIG="$STATE/server.properties"
DATA="$STATE/data"
PIDFILE="$STATE/kafka.pid"
LOG="$STATE/kafka.log"

say() { printf 'kafka: %s\n' "$*"; }
fail() { printf 'kafka: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# The pid in the pid file, when that process is the broker this state folder started.
our_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# One start or stop at a time per state folder (tests and benchmarks may call `start` together).
take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || fail "another kafka.sh holds $STATE/.lock"
}

fetch_jars() {
  # The marker holds the pom's checksum: a changed pom fetches a fresh set of jars.
  local stamp tmp
  stamp=$(sha256sum "$POM" | cut -d' ' -f1)
  if [ -f "$JARS/.complete" ] && [ "$(cat "$JARS/.complete")" = "$stamp" ]; then return 0; fi
  command -v mvn >/dev/null || fail "mvn (Apache Maven) is needed to fetch the broker's jars"
  say "fetching Apache Kafka 3.9.1 jars from Maven Central into $JARS (once; 30-90 s)"
  mkdir -p "$(dirname "$JARS")"
  tmp=$(mktemp -d "$JARS.tmp.XXXXXX")
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    fail "mvn could not fetch the jars (output above)"
  fi
  ls "$tmp"/kafka_2.13-3.9.1.jar "$tmp"/slf4j-reload4j-1.7.36.jar >/dev/null \
    || fail "the fetched jars lack kafka_2.13 or slf4j-reload4j ($tmp)"
  echo "$stamp" >"$tmp/.complete"
  rm -rf "$JARS" "$tmp.log"
  mv "$tmp" "$JARS"
}

write_config() {
  mkdir -p "$DATA"
  cat >"$CONFIG.tmp" <<PROPS
# Written by deploy/local/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=3
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
  mv "$CONFIG.tmp" "$CONFIG"
}

format_storage() {
  # Once per fresh data folder: meta.properties exists only after a successful format.
  [ -f "$DATA/meta.properties" ] && return 0
  local cluster out
  cluster=$(java -Dlog4j.configuration="file:$LOG4J" -cp "$JARS/*" kafka.tools.StorageTool random-uuid | tail -n1)
  say "formatting $DATA (cluster id $cluster)"
  if ! out=$(java -Dlog4j.configuration="file:$LOG4J" -cp "$JARS/*" kafka.tools.StorageTool \
      format --ignore-formatted -t "$cluster" -c "$CONFIG" 2>&1); then
    printf '%s\n' "$out" >&2
    fail "could not format $DATA"
  fi
}

start() {
  if port_answers "$PORT"; then
    say "reusing the broker already listening on 127.0.0.1:$PORT"
    return 0
  fi
  command -v java >/dev/null || fail "java (OpenJDK 17) is needed to run the broker"
  take_lock
  if port_answers "$PORT"; then # started by a concurrent call while this one waited
    say "reusing the broker already listening on 127.0.0.1:$PORT"
    return 0
  fi
  if our_pid >/dev/null; then
    fail "the broker (pid $(cat "$PIDFILE")) runs but 127.0.0.1:$PORT does not answer; see $LOG or run: bash $0 stop"
  fi
  fetch_jars
  write_config
  format_storage
  say "starting the broker on 127.0.0.1:$PORT (log: $LOG)"
  # setsid: the broker outlives this shell and ignores the Ctrl-C meant for its caller.
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J" -cp "$JARS/*" kafka.Kafka "$CONFIG" \
    </dev/null >"$LOG" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_answers "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      printf 'kafka: the broker exited during start; the end of %s:\n' "$LOG" >&2
      tail -n 40 "$LOG" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'kafka: 127.0.0.1:%s did not answer within %s s; the end of %s:\n' "$PORT" "$START_TIMEOUT" "$LOG" >&2
      tail -n 40 "$LOG" >&2
      kill -TERM "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
  say "ready on 127.0.0.1:$PORT (pid $pid)"
}

stop() {
  take_lock
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PIDFILE"
    if port_answers "$PORT"; then
      say "the broker on 127.0.0.1:$PORT was not started from $STATE; leaving it running"
    else
      say "not running"
    fi
    return 0
  fi
  say "stopping the broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "no exit 60 s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  say "stopped"
}

status() {
  local pid=''
  pid=$(our_pid) || true
  if port_answers "$PORT"; then
    if [ -n "$pid" ]; then say "up on 127.0.0.1:$PORT (pid $pid, state $STATE)"; else say "up on 127.0.0.1:$PORT (not started from $STATE)"; fi
  else
    if [ -n "$pid" ]; then say "down: pid $pid runs but 127.0.0.1:$PORT does not answer (log: $LOG)"; else say "down"; fi
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
