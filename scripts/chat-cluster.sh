#!/usr/bin/env bash
# End-to-end run of the chat room shared through Redis (not part of `mvn verify`): a redis-server,
# three sample-app instances (chat.cluster=redis) and HAProxy in front of them (round robin, TCP),
# all on loopback free ports; fifty chat clients (scripts/ChatClusterLoad.java) talk through HAProxy
# for SECONDS (default 40, at most 600); one instance is killed with SIGKILL a third of the way in
# and started again ten seconds later. Prints the clients' report: messages sent and delivered,
# order violations (must be 0) and the longest time until a killed instance's names were free.
# Needs the Debian packages redis-server and haproxy.
#
#   mvn -B -q install -DskipTests && scripts/chat-cluster.sh 40
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-40}
(( seconds > 600 )) && seconds=600
ttl=${MEMBER_TTL:-5s}
jar=sample-app/target/tcp-server-sample-app.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
command -v redis-server >/dev/null && command -v haproxy >/dev/null \
  || { echo "needs redis-server and haproxy (apt-get install redis-server haproxy)" >&2; exit 2; }

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

used=" "
free_port() {
  local port
  while true; do
    port=$(( 20000 + RANDOM % 40000 ))
    if [[ "$used" != *" $port "* ]] && [ -z "$(ss -Hltn "sport = :$port")" ]; then
      used+="$port "
      echo "$port"
      return
    fi
  done
}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$dir/redis.log" 2>&1 &
pids+=($!)

chat_ports=("$(free_port)" "$(free_port)" "$(free_port)")
app_pids=()
start_app() { # index
  java -Xmx256m -jar "$jar" --server.port=0 --server.address=127.0.0.1 --tcp.server.port=0 \
    --tcp.server.address=127.0.0.1 --chat.framed-port=0 --http.port=0 --sample.download.port=0 \
    --chat.port="${chat_ports[$1]}" --chat.cluster=redis --chat.cluster.member-ttl="$ttl" \
    --spring.data.redis.port="$redis_port" >"$dir/app$1.log" 2>&1 &
  app_pids[$1]=$!
  pids+=($!)
}
await_app() { # index
  for _ in $(seq 1 240); do
    grep -q "Started SampleApplication" "$dir/app$1.log" && return 0
    kill -0 "${app_pids[$1]}" 2>/dev/null || break
    sleep 0.5
  done
  echo "instance $1 did not start:"; cat "$dir/app$1.log"; exit 1
}
for i in 0 1 2; do start_app $i; done
for i in 0 1 2; do await_app $i; done

haproxy_port=$(free_port)
cat >"$dir/haproxy.cfg" <<CFG
global
  maxconn 1000
defaults
  mode tcp
  timeout connect 2s
  timeout client 10m
  timeout server 10m
frontend chat
  bind 127.0.0.1:$haproxy_port
  default_backend instances
backend instances
  balance roundrobin
  server one 127.0.0.1:${chat_ports[0]} check inter 500ms
  server two 127.0.0.1:${chat_ports[1]} check inter 500ms
  server three 127.0.0.1:${chat_ports[2]} check inter 500ms
CFG
haproxy -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do [ -n "$(ss -Hltn "sport = :$haproxy_port")" ] && break; sleep 0.25; done

echo "redis :$redis_port, instances :${chat_ports[*]}, haproxy :$haproxy_port; member-ttl $ttl; ${seconds}s of load"
java scripts/ChatClusterLoad.java "$seconds" "$haproxy_port" 50 10 & load=$!
sleep $(( seconds / 3 ))
echo "t=$(( seconds / 3 ))s: kill -9 instance two (pid ${app_pids[1]})"
kill -9 "${app_pids[1]}"
sleep 10
echo "t=$(( seconds / 3 + 10 ))s: starting instance two again"
start_app 1
set +e; wait $load; rc=$?; set -e
[ $rc -eq 0 ] && echo "CHAT CLUSTER PASSED: no order violation" || echo "CHAT CLUSTER FAILED (rc=$rc)"
exit $rc
