#!/usr/bin/env bash
# Soak test (not part of `mvn verify`): starts the packaged sample app on loopback, runs
# scripts/Soak.java against it for SECONDS (default 180, at most 3600), samples the server's RSS and
# open file descriptors every 10 s, and prints whether the well-behaved clients got back exactly
# what they sent. Loopback only; the app is stopped at the end.
#
#   mvn -B -q install -DskipTests && scripts/soak.sh 180
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-180}
jar=sample-app/target/tcp-server-sample-app.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || true
log=$(mktemp)
java -Xms256m -Xmx256m -jar "$jar" --tcp.server.address=127.0.0.1 --tcp.server.port=0 \
  --tcp.server.write-idle-timeout=30s >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
ports=()
for _ in $(seq 1 120); do
  mapfile -t ports < <(ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | sed 's/.*://' | sort -n)
  grep -q "Started SampleApplication" "$log" && [ ${#ports[@]} -gt 0 ] && break
  sleep 0.5
done
echo_port=$(grep -o "'echo' on [^ ]*" "$log" | sed 's/.*://')
[ -n "$echo_port" ] || { echo "sample app did not start:"; cat "$log"; exit 1; }
# Listeners other than the Actuator's HTTP port get garbage too.
mapfile -t tcp_ports < <(grep -o "TCP server listening: '[^']*' on [^ ]*" "$log" | sed 's/.*://')
echo "sample app pid $pid, echo on $echo_port, TCP listeners: ${tcp_ports[*]}; soaking ${seconds}s"
sample() {
  rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  fds=$(ls /proc/$pid/fd | wc -l)
  echo "t=${1}s rss_kb=$rss fds=$fds"
}
sample 0
java scripts/Soak.java "$seconds" "$echo_port" "${tcp_ports[@]}" & soak=$!
start=$(date +%s)
while kill -0 $soak 2>/dev/null; do
  sleep 10
  kill -0 $soak 2>/dev/null && sample $(( $(date +%s) - start ))
done
set +e; wait $soak; rc=$?; set -e
sleep 3 # let the last hostile connections be closed by the server before the final sample
sample "end+3"
[ $rc -eq 0 ] && echo "SOAK PASSED: well-behaved bytes sent == received, no mismatch" || echo "SOAK FAILED (rc=$rc)"
exit $rc
