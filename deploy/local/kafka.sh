#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) on 127.0.0.1:9092, without Docker:
# the jars come from Maven Central through mvn, the broker runs with plain java.
#   kafka.sh start | stop | status
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STATE="${LICENSING_LOCAL_DIR:-$ROOT/.local}/kafka"
JARS="${KAFKA_JARS_DIR:-$HOME/.cache/licensing-kafka/3.9.1/libs}"
PORT=9092
PIDFILE="$STATE/kafka.pid"
LOG="$STATE/kafka.log"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

fetch_jars() {
  if [ -f "$JARS/.complete" ]; then return; fi
  echo "kafka: fetching Apache Kafka 3.9.1 jars from Maven Central (once)"
  mkdir -p "$JARS"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$JARS" -DincludeScope=runtime >/dev/null
  touch "$JARS/.complete"
}

write_config() {
  mkdir -p "$STATE/data"
  cat >"$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
PROPS
}

start() {
  if answers; then echo "kafka: reusing the broker already on 127.0.0.1:$PORT"; return; fi
  command -v java >/dev/null || { echo "kafka: java is needed (OpenJDK 17)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "kafka: mvn is needed to fetch the broker" >&2; exit 1; }
  fetch_jars
  write_config
  if [ ! -f "$STATE/data/meta.properties" ]; then
    local log4j="-Dlog4j.configuration=file:$HERE/kafka/log4j.properties" cluster
    cluster=$(java "$log4j" -cp "$JARS/*" kafka.tools.StorageTool random-uuid | tail -n1)
    java "$log4j" -cp "$JARS/*" kafka.tools.StorageTool format -t "$cluster" -c "$STATE/server.properties" >/dev/null
  fi
  echo "kafka: starting the broker (log: $LOG)"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" \
      -cp "$JARS/*" kafka.Kafka "$STATE/server.properties" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + 120))
  until answers; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "kafka: the broker did not start; the end of its log:" >&2
      tail -n 40 "$LOG" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka: ready on 127.0.0.1:$PORT"
}

stop() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    local pid
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
    echo "kafka: stopped"
  else
    echo "kafka: not started by this project"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "kafka: up on 127.0.0.1:$PORT"; else echo "kafka: down"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
