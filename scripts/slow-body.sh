#!/usr/bin/env bash
# Slow-body attack on the packaged sample app (not part of `mvn verify`; loopback only, bounded in
# time): scripts/SlowBody.java keeps CONNECTIONS (default 2000) clients trickling 1 MiB bodies on the
# HTTP listener while a well-behaved client keeps asking for GET /. Every 5 s the server's live heap
# is sampled (after a full GC, through jcmd); the peak growth over the idle baseline is printed.
#
#   mvn -B -q install -DskipTests && scripts/slow-body.sh [seconds=60] [connections=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
connections=${2:-2000}
jar=sample-app/target/tcp-server-sample-app.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
log=$(mktemp)
java -Xms512m -Xmx512m -jar "$jar" --server.port=0 --server.address=127.0.0.1 --tcp.server.port=0 \
  --tcp.server.address=127.0.0.1 --http.port=0 --chat.port=0 --chat.framed-port=0 --sample.download.port=0 \
  --tcp.server.max-connections=10000 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 240); do
  grep -q "Started SampleApplication" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
http_port=$(grep -o "'http' on [^ ]*" "$log" | head -1 | sed 's/.*://')
[ -n "$http_port" ] || { echo "sample app did not start:"; cat "$log"; exit 1; }
live_heap_kb() {
  jcmd $pid GC.run >/dev/null
  jcmd $pid GC.heap_info | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*'
}
baseline=$(live_heap_kb)
echo "sample app pid $pid, HTTP on $http_port; live heap at rest ${baseline} KiB; attacking for ${seconds}s"
java scripts/SlowBody.java "$seconds" "$http_port" "$connections" & attack=$!
peak=$baseline
start=$(date +%s)
while kill -0 $attack 2>/dev/null; do
  sleep 5
  kill -0 $attack 2>/dev/null || break
  heap=$(live_heap_kb)
  (( heap > peak )) && peak=$heap
  echo "t=$(( $(date +%s) - start ))s live_heap_kb=$heap connections=$(ls /proc/$pid/fd | wc -l)"
done
set +e; wait $attack; rc=$?; set -e
growth=$(( (peak - baseline) / 1024 ))
echo "peak live heap growth: ${growth} MiB (baseline $((baseline / 1024)) MiB, peak $((peak / 1024)) MiB)"
if [ $rc -eq 0 ] && (( growth < 64 )); then
  echo "SLOW-BODY PASSED: heap growth under 64 MiB and every well-behaved request answered"
else
  echo "SLOW-BODY FAILED (client rc=$rc, growth ${growth} MiB)"; exit 1
fi
