#!/usr/bin/env bash
# Idle-connection memory (not part of `mvn verify`): starts the packaged sample app with a 1 GiB
# heap, opens N (default 50000) echo connections from several loopback source addresses, and
# reports RSS and live-heap growth per connection (after a full GC on both sides). Loopback only.
#
#   mvn -B -q install -DskipTests && scripts/idle.sh 50000
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-50000}
jar=sample-app/target/tcp-server-sample-app.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
# Server and clients are separate processes: each needs one descriptor per connection.
want=$(( conns + 2000 ))
if ! ulimit -n $want 2>/dev/null; then
  hard=$(ulimit -Hn)
  ulimit -n "$hard"
  conns=$(( hard - 2000 ))
  echo "note: the open-files hard limit here is $hard (raising it needs CAP_SYS_RESOURCE); measuring $conns connections" >&2
fi
log=$(mktemp); clog=$(mktemp)
java -Xms1g -Xmx1g -XX:+UseG1GC -jar "$jar" --tcp.server.port=0 --tcp.server.address=127.0.0.1 \
  --tcp.server.max-connections=$(( conns + 1000 )) --tcp.server.backlog=4096 >"$log" 2>&1 &
pid=$!
trap 'kill $pid $cpid 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$log" "$clog"' EXIT
cpid=
for _ in $(seq 1 240); do grep -q "Started SampleApplication" "$log" && break; sleep 0.5; done
port=$(grep -o "'echo' on [^ ]*" "$log" | sed 's/.*://')
[ -n "$port" ] || { echo "sample app did not start"; cat "$log"; exit 1; }
measure() {
  jcmd $pid GC.run >/dev/null; sleep 2
  rss=$(awk '/VmRSS/{print $2 * 1024}' /proc/$pid/status)
  heap=$(jcmd $pid GC.heap_info | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*')
  echo "$rss $(( heap * 1024 ))"
}
read -r rss0 heap0 < <(measure)
java scripts/IdleClients.java "$port" "$conns" 60 >"$clog" 2>&1 &
cpid=$!
for _ in $(seq 1 600); do grep -q "^OPEN" "$clog" && break; kill -0 $cpid 2>/dev/null || break; sleep 0.5; done
grep -q "^OPEN" "$clog" || { echo "clients failed:"; cat "$clog"; exit 1; }
sleep 2
read -r rss1 heap1 < <(measure)
echo "connections=$conns rss_before_mib=$(( rss0 / 1048576 )) rss_with_mib=$(( rss1 / 1048576 ))" \
     "rss_per_conn_b=$(( (rss1 - rss0) / conns )) heap_per_conn_b=$(( (heap1 - heap0) / conns ))"
