#!/usr/bin/env bash
# WebSocket echo benchmark: the starter (the sample app's ws://.../ws/echo on its HTTP listener,
# default settings, Actuator and metrics on) against Netty 4.2's WebSocket server
# (WebSocketServerProtocolHandler, NIO and native epoll), driven by bench/ws's load generator:
# 100 connections, masked client frames, a closed loop with N messages in flight per connection,
# every echoed byte compared with what was sent. Servers are interleaved (rep-major, the starting
# server rotating every repetition); the server's CPU is read from /proc/PID/stat over exactly the
# measured window. Not part of `mvn verify`. Loopback only; every run is bounded in time.
#
#   bench/ws.sh                                   # 3 servers x 4 scenarios x 5 reps (about 25 minutes)
#   bench/ws.sh --servers starter-ws,netty-ws-nio --scenarios ws64 --reps 1 --duration 2 --warmup 1 --start-warmup 2
#
# Scenarios: ws64 (64 B text, 1 in flight), ws64p16 (64 B text, 16 in flight), ws1k (1 KiB text),
# ws1kbin (1 KiB binary); always 100 connections. Results land in bench/results/ws-<date>/
# (table.md, raw.csv in the workshop's format, logs), git-ignored; copy the table into BENCHMARKS.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

SERVERS=starter-ws,netty-ws-nio,netty-ws-epoll
SCENARIOS=ws64,ws64p16,ws1k,ws1kbin
REPS=5
DURATION=10        # measured seconds per run
WARMUP=5           # unrecorded seconds of the same load before each measured run
START_WARMUP=20    # unrecorded load right after a server starts (JIT)
THREADS=1          # load generator threads
QUIET_PCT=15       # before a run: wait (at most QUIET_WAIT s) until the machine's busy CPU is below this % of a core
QUIET_WAIT=180
NOISE_PCT=10       # a run during which other processes used more than this % of a core is re-measured ...
RETRIES=3          # ... at most this many times
OUT=""
: "${JAVA:=java}"
: "${JVM_OPTS:=-Xms512m -Xmx512m -XX:+UseG1GC}"

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF
options: --servers LIST (default $SERVERS)  --scenarios LIST (default $SCENARIOS)
         --reps N (default $REPS, 1..20)  --duration S (default $DURATION)  --warmup S (default $WARMUP)
         --start-warmup S (default $START_WARMUP)  --threads N (load generator, default $THREADS)
         --noise-pct P (default $NOISE_PCT)  --quiet-pct P (default $QUIET_PCT)  --retries N (default $RETRIES)
         --out DIR (default bench/results/ws-<date>)
environment: JAVA (default java), JVM_OPTS (default "$JVM_OPTS")
EOF
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) SERVERS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --start-warmup) START_WARMUP=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --noise-pct) NOISE_PCT=$2; shift 2 ;;
    --quiet-pct) QUIET_PCT=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
for v in REPS DURATION WARMUP START_WARMUP THREADS NOISE_PCT QUIET_PCT RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a number" >&2; exit 2; }
done
[ "$REPS" -ge 1 ] && [ "$REPS" -le 20 ] || { echo "--reps must be 1..20" >&2; exit 2; }
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 300 ] || { echo "--duration must be 1..300" >&2; exit 2; }
[ "$WARMUP" -le 120 ] && [ "$START_WARMUP" -le 300 ] || { echo "warm-ups too long" >&2; exit 2; }
[ "$THREADS" -ge 1 ] && [ "$THREADS" -le 16 ] || { echo "--threads must be 1..16" >&2; exit 2; }

# ---------------------------------------------------------------- build (once)
work=$root/bench/work
mkdir -p "$work"
benchjar=$root/bench/ws/target/bench-ws.jar
if [ ! -f "$benchjar" ] || [ -n "$(find "$root/bench/ws/src" "$root/bench/ws/pom.xml" -newer "$benchjar" 2>/dev/null)" ]; then
  mvn -B -q -f "$root/bench/ws/pom.xml" package -DskipTests || { echo "cannot build bench/ws" >&2; exit 1; }
fi
if [ ! -f "$root/sample-app/target/tcp-server-sample-app.jar" ]; then
  # A reactor build from the project root: nothing is installed into ~/.m2.
  mvn -B -q -f "$root/pom.xml" package -pl sample-app -am -DskipTests || { echo "cannot build the sample app" >&2; exit 1; }
fi
# Private copies, so that rebuilding the project during a long run does not change what is measured.
jar=$work/tcp-server-sample-app-ws.jar
cp "$root/sample-app/target/tcp-server-sample-app.jar" "$jar"
loadjar=$work/bench-ws.jar
cp "$benchjar" "$loadjar"

# ---------------------------------------------------------------- servers and scenarios
# Every other listener of the sample app on a free port, so that only the measured one is fixed.
others="--tcp.server.port=0 --chat.port=0 --chat.framed-port=0 --sample.download.port=0 --server.port=0 --sample.tls.https-port=0 --sample.tls.echo-port=0 --sample.tls.chat-port=0 --sample.tls.mutual-port=0"
declare -A PORT CMD
PORT[starter-ws]=7081;     CMD[starter-ws]="\$JAVA \$JVM_OPTS -jar $jar --http.port={PORT} --tcp.server.http.observations-enabled=false $others"
PORT[netty-ws-nio]=9301;   CMD[netty-ws-nio]="\$JAVA \$JVM_OPTS -cp $loadjar bench.ws.NettyWebSocketEchoServer --transport nio --host 127.0.0.1 --port {PORT}"
PORT[netty-ws-epoll]=9302; CMD[netty-ws-epoll]="\$JAVA \$JVM_OPTS -cp $loadjar bench.ws.NettyWebSocketEchoServer --transport epoll --host 127.0.0.1 --port {PORT}"
load_args() {
  case "$1" in
    ws64) echo "--size 64 --depth 1 --frame text" ;;
    ws64p16) echo "--size 64 --depth 16 --frame text" ;;
    ws1k) echo "--size 1024 --depth 1 --frame text" ;;
    ws1kbin) echo "--size 1024 --depth 1 --frame binary" ;;
    *) return 1 ;;
  esac
}
IFS=, read -ra NAMES <<<"$SERVERS"
IFS=, read -ra SCEN <<<"$SCENARIOS"
for n in "${NAMES[@]}"; do [ -n "${PORT[$n]:-}" ] || { echo "unknown server $n (known: ${!PORT[*]})" >&2; exit 2; }; done
for s in "${SCEN[@]}"; do load_args "$s" > /dev/null || { echo "unknown scenario $s" >&2; exit 2; }; done

[ -n "$OUT" ] || OUT=$root/bench/results/ws-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/logs"
RAW=$OUT/raw.csv
# The workshop's raw.csv columns that apply here: bench/efficiency.py and the workshop's summarize.py read it.
echo "pin,rep,server,kind,scenario,rc,rps,mbps,p50_us,p99_us,p999_us,max_us,errors,mismatches,srv_cpu_pct,load_cpu_pct,conns,foreign_cpu_pct,tries" > "$RAW"
export JAVA JVM_OPTS
CLK_TCK=$(getconf CLK_TCK)
ulimit -n "$(ulimit -Hn)" 2>/dev/null

log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/run.log"; }
is_listening() { [ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }
listening_pid() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
busy_now() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }  # user nice system irq softirq (ticks)
kv() { awk -v k="$1" '/^RESULT /{for(i=2;i<=NF;i++){split($i,a,"="); if(a[1]==k) v=a[2]}} END{print v}' "$2"; }
wait_quiet() { # bounded: until the whole machine used less than QUIET_PCT % of a core for 1 s
  local b0 b1 waited=0
  while :; do
    b0=$(busy_now); sleep 1; b1=$(busy_now)
    [ $(( (b1 - b0) * 100 / CLK_TCK )) -lt "$QUIET_PCT" ] && break
    waited=$((waited + 1))
    if [ "$waited" -ge "$QUIET_WAIT" ]; then log "    WARNING: machine still busy after ${QUIET_WAIT}s; measuring anyway"; break; fi
  done
  [ "$waited" = 0 ] || log "    (waited ${waited}s for other processes to go quiet)"
}

SRV_PGID=""; SRV_PID=""
start_server() { # name rep
  local name=$1 port=${PORT[$1]} cmd=${CMD[$1]}
  SRV_PGID=""; SRV_PID=""
  if is_listening "$port"; then log "  $name: port $port already in use; skipping (not touching that process)"; return 1; fi
  cmd=${cmd//\{PORT\}/$port}
  echo "bash -c \"exec $cmd\"" > "$OUT/logs/$name-rep$2.cmd"
  setsid bash -c "exec $cmd" > "$OUT/logs/$name-rep$2.server.log" 2>&1 < /dev/null &
  SRV_PGID=$!
  for _ in $(seq 1 900); do
    is_listening "$port" && break
    kill -0 "$SRV_PGID" 2>/dev/null || { log "  $name: exited during start-up (see $OUT/logs)"; SRV_PGID=""; return 1; }
    sleep 0.1
  done
  is_listening "$port" || { log "  $name: not listening after 90 s"; stop_server; return 1; }
  SRV_PID=$(listening_pid "$port"); [ -n "$SRV_PID" ] || SRV_PID=$SRV_PGID
  log "  $name: pid $SRV_PID listening on 127.0.0.1:$port"
}
stop_server() { # the process group this script started, and nothing else
  [ -n "$SRV_PGID" ] || return 0
  kill -TERM -- "-$SRV_PGID" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$SRV_PGID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SRV_PGID" 2>/dev/null && kill -KILL -- "-$SRV_PGID" 2>/dev/null
  wait "$SRV_PGID" 2>/dev/null
  SRV_PGID=""
}
trap 'stop_server; exit 130' INT TERM
trap 'stop_server' EXIT

load() { # port scenario warmup duration [extra args] -> the load generator's command line
  local port=$1 scen=$2 warm=$3 secs=$4; shift 4
  echo "$JAVA -Xms256m -Xmx256m -cp $loadjar bench.ws.WebSocketLoad --host 127.0.0.1 --port $port --path /ws/echo --conns 100 $(load_args "$scen") --threads $THREADS --warmup $warm --duration $secs --clk-tck $CLK_TCK $*"
}

run_scenario() { # rep name scenario
  local rep=$1 name=$2 scen=$3 base=$OUT/logs/$2-$3-rep$1 try rc foreign cmd
  cmd=$(load "${PORT[$name]}" "$scen" "$WARMUP" "$DURATION" --server-pid "$SRV_PID")
  echo "$cmd" > "$base.cmd"
  for try in $(seq 0 "$RETRIES"); do
    wait_quiet
    timeout $((WARMUP + DURATION + 60)) $cmd > "$base.log" 2>&1; rc=$?
    foreign=$(kv foreign_cpu_pct "$base.log")
    if [ -n "$foreign" ] && awk "BEGIN{exit !($foreign > $NOISE_PCT)}" && [ "$try" -lt "$RETRIES" ]; then
      log "    $scen: other processes used ${foreign}% of a core (rate $(kv rps "$base.log")/s); re-measuring"
      cp "$base.log" "$base.noisy$try.log"
      continue
    fi
    break
  done
  echo "unpinned,$rep,$name,ws,$scen,$rc,$(kv rps "$base.log"),$(kv mbps "$base.log"),$(kv p50_us "$base.log"),$(kv p99_us "$base.log"),$(kv p999_us "$base.log"),$(kv max_us "$base.log"),$(kv errors "$base.log"),$(kv mismatches "$base.log"),$(kv srv_cpu_pct "$base.log"),$(kv load_cpu_pct "$base.log"),$(kv conns "$base.log"),$foreign,$((try + 1))" >> "$RAW"
  log "    $scen: rc=$rc rate=$(kv rps "$base.log")/s p50=$(kv p50_us "$base.log")us p99=$(kv p99_us "$base.log")us errors=$(kv errors "$base.log") mismatched_bytes=$(kv mismatches "$base.log") server_cpu=$(kv srv_cpu_pct "$base.log")% load_cpu=$(kv load_cpu_pct "$base.log")% other=${foreign}%"
  [ "$rc" = 0 ] || log "    WARNING: the load generator failed (see $base.log)"
}

{
  echo "date: $(date -Is)"; echo "host: $(uname -a)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
  echo "java: $($JAVA -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "JVM_OPTS: $JVM_OPTS"; echo "load generator: bench/ws WebSocketLoad, $THREADS thread(s), 100 connections"
  echo "reps=$REPS duration=$DURATION warmup=$WARMUP start_warmup=$START_WARMUP"
  echo "servers: ${NAMES[*]}"; echo "scenarios: ${SCEN[*]}"
} > "$OUT/env.txt"
tee -a "$OUT/run.log" < "$OUT/env.txt"

for rep in $(seq 1 "$REPS"); do
  # The starting server rotates, so that no server always runs first (or last) in a repetition.
  count=${#NAMES[@]}
  for i in $(seq 0 $((count - 1))); do
    name=${NAMES[$(( (i + rep - 1) % count ))]}
    log "rep $rep/$REPS $name: ${SCEN[*]}"
    start_server "$name" "$rep" || continue
    if [ "$START_WARMUP" -gt 0 ]; then
      timeout $((START_WARMUP + 60)) $(load "${PORT[$name]}" ws64 0 "$START_WARMUP") > "$OUT/logs/$name-startwarmup-rep$rep.log" 2>&1 \
        || log "  WARNING: start warm-up failed (see $OUT/logs/$name-startwarmup-rep$rep.log)"
    fi
    for s in "${SCEN[@]}"; do
      run_scenario "$rep" "$name" "$s"
      kill -0 "$SRV_PID" 2>/dev/null || { log "  server died"; break; }
    done
    stop_server
  done
done

{
  echo "## CPU per message (bench/efficiency.py)"; echo
  python3 "$root/bench/efficiency.py" "$RAW"
  summarize=${BENCH_WORKSHOP:-$root/../shared/bench}/summarize.py
  if [ -f "$summarize" ]; then
    echo; echo "## Rate and latency (the workshop's summarize.py)"
    python3 "$summarize" "$RAW"
  fi
} > "$OUT/table.md"
cat "$OUT/table.md"
echo
echo "raw: $RAW   logs: $OUT/logs   table: $OUT/table.md"
