#!/usr/bin/env bash
# File download benchmark: the starter (the sample app's GET /file: HttpResponse.file, sent with
# Connection.sendFile, zero copy) against Netty 4.2 serving the same file with DefaultFileRegion
# (NIO and native epoll) and with ChunkedWriteHandler + ChunkedNioFile (NIO), all from bench/ws's
# jar. A 1 GiB file of random bytes (made once, cached in bench/work/download/) is downloaded
# again and again over N keep-alive connections (default 4) by bench/ws's DownloadLoad client,
# which checks every response's status, Content-Length and byte count, and the CRC-32C of one
# whole download per server start. Throughput is the bytes received in the measured window; the
# server's CPU is read from /proc/PID/stat over exactly that window and divided by the gigabytes.
# Servers are interleaved (rep-major, the starting server rotating every repetition). Not part
# of `mvn verify`. Loopback only; every run is bounded in time.
#
#   bench/download.sh                              # 5 servers x 5 reps, about 15 minutes
#   bench/download.sh --reps 1 --duration 3 --start-warmup 2     # smoke test
#
# Results land in bench/results/download-<date>/ (table.md, raw.csv, logs), git-ignored; copy the
# table into BENCHMARKS.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

SERVERS=starter-file,starter-file-io2,netty-region-nio,netty-region-epoll,netty-chunked-nio
REPS=5
DURATION=10        # measured seconds per run
WARMUP=3           # unrecorded seconds of the same load before each measured window
START_WARMUP=5     # unrecorded load right after a server starts (JIT), which also checks the CRC
CONNS=4
SIZE_MIB=1024
QUIET_PCT=15       # before a run: wait (at most QUIET_WAIT s) until the machine's busy CPU is below this % of a core
QUIET_WAIT=120
NOISE_PCT=10       # a run during which other processes used more than this % of a core is re-measured ...
RETRIES=2          # ... at most this many times
OUT=""
: "${JAVA:=java}"
: "${JVM_OPTS:=-Xms512m -Xmx512m -XX:+UseG1GC}"

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF
options: --servers LIST (default $SERVERS)  --reps N (default $REPS, 1..20)
         --duration S (default $DURATION)  --warmup S (default $WARMUP)  --start-warmup S (default $START_WARMUP)
         --conns N (default $CONNS)  --size-mib M (file size, default $SIZE_MIB)
         --noise-pct P (default $NOISE_PCT)  --quiet-pct P (default $QUIET_PCT)  --retries N (default $RETRIES)
         --quiet-wait S (default $QUIET_WAIT)  --out DIR (default bench/results/download-<date>)
environment: JAVA (default java), JVM_OPTS (default "$JVM_OPTS")
EOF
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) SERVERS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --start-warmup) START_WARMUP=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --noise-pct) NOISE_PCT=$2; shift 2 ;;
    --quiet-pct) QUIET_PCT=$2; shift 2 ;;
    --retries) RETRIES=$2; shift 2 ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
for v in REPS DURATION WARMUP START_WARMUP CONNS SIZE_MIB NOISE_PCT QUIET_PCT QUIET_WAIT RETRIES; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a number" >&2; exit 2; }
done
[ "$REPS" -ge 1 ] && [ "$REPS" -le 20 ] || { echo "--reps must be 1..20" >&2; exit 2; }
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 300 ] || { echo "--duration must be 1..300" >&2; exit 2; }
[ "$WARMUP" -le 120 ] && [ "$START_WARMUP" -le 300 ] || { echo "warm-ups too long" >&2; exit 2; }
[ "$CONNS" -ge 1 ] && [ "$CONNS" -le 64 ] || { echo "--conns must be 1..64" >&2; exit 2; }
[ "$SIZE_MIB" -ge 1 ] && [ "$SIZE_MIB" -le 4096 ] || { echo "--size-mib must be 1..4096" >&2; exit 2; }

# ---------------------------------------------------------------- build and data (once)
work=$root/bench/work
mkdir -p "$work/download"
benchjar=$root/bench/ws/target/bench-ws.jar
if [ ! -f "$benchjar" ] || [ -n "$(find "$root/bench/ws/src" "$root/bench/ws/pom.xml" -newer "$benchjar" 2>/dev/null)" ]; then
  mvn -B -q -f "$root/bench/ws/pom.xml" package -DskipTests || { echo "cannot build bench/ws" >&2; exit 1; }
fi
if [ ! -f "$root/sample-app/target/tcp-server-sample-app.jar" ]; then
  # A reactor build from the project root: nothing is installed into ~/.m2.
  mvn -B -q -f "$root/pom.xml" package -pl sample-app -am -DskipTests || { echo "cannot build the sample app" >&2; exit 1; }
fi
# Private copies, so that rebuilding the project during a long run does not change what is measured.
jar=$work/tcp-server-sample-app-download.jar
cp "$root/sample-app/target/tcp-server-sample-app.jar" "$jar"
loadjar=$work/bench-ws-download.jar
cp "$benchjar" "$loadjar"
# Random bytes (incompressible, nothing to gain from patterns), made once; its CRC-32C next to it.
FILE=$work/download/random-${SIZE_MIB}MiB.bin
LENGTH=$((SIZE_MIB * 1024 * 1024))
if [ ! -f "$FILE" ] || [ "$(stat -c %s "$FILE")" != "$LENGTH" ]; then
  echo "making $FILE ($SIZE_MIB MiB from /dev/urandom)"
  rm -f "$FILE" "$FILE.crc32c"
  dd if=/dev/urandom of="$FILE.tmp" bs=1M count="$SIZE_MIB" status=none && mv "$FILE.tmp" "$FILE" \
    || { echo "cannot make $FILE" >&2; exit 1; }
fi
if [ ! -s "$FILE.crc32c" ] || [ "$FILE.crc32c" -ot "$FILE" ]; then
  $JAVA -cp "$loadjar" bench.download.DownloadLoad --crc-of "$FILE" > "$FILE.crc32c" || { echo "cannot checksum $FILE" >&2; exit 1; }
fi
CRC=$(cat "$FILE.crc32c")

# ---------------------------------------------------------------- servers
# Every other listener of the sample app on a free port, so that only the measured one is fixed.
others="--tcp.server.port=0 --chat.port=0 --chat.framed-port=0 --sample.download.port=0 --server.port=0 --sample.tls.https-port=0 --sample.tls.echo-port=0 --sample.tls.chat-port=0 --sample.tls.mutual-port=0"
netty="\$JAVA \$JVM_OPTS -cp $loadjar bench.download.NettyDownloadServer --host 127.0.0.1 --port {PORT} --file $FILE"
declare -A PORT CMD
PORT[starter-file]=7091;       CMD[starter-file]="\$JAVA \$JVM_OPTS -jar $jar --http.port={PORT} $others --sample.download.file=$FILE"
# Two I/O loops (the default is half the cores: one here): on loopback the sender's CPU also runs
# much of the receiver's TCP work (softirq), so a single loop is the limit for bulk transfers.
PORT[starter-file-io2]=7092;   CMD[starter-file-io2]="\$JAVA \$JVM_OPTS -jar $jar --http.port={PORT} $others --sample.download.file=$FILE --tcp.server.io-threads=2"
PORT[netty-region-nio]=9311;   CMD[netty-region-nio]="$netty --transport nio --mode region"
PORT[netty-region-epoll]=9312; CMD[netty-region-epoll]="$netty --transport epoll --mode region"
PORT[netty-chunked-nio]=9313;  CMD[netty-chunked-nio]="$netty --transport nio --mode chunked"
IFS=, read -ra NAMES <<<"$SERVERS"
for n in "${NAMES[@]}"; do [ -n "${PORT[$n]:-}" ] || { echo "unknown server $n (known: ${!PORT[*]})" >&2; exit 2; }; done

[ -n "$OUT" ] || OUT=$root/bench/results/download-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/logs"
RAW=$OUT/raw.csv
echo "rep,server,rc,gbps,bytes,seconds,downloads,errors,crc_ok,srv_cpu_s,srv_cpu_s_per_gb,srv_cpu_pct,load_cpu_pct,load_cpu_s_per_gb,foreign_cpu_pct,tries" > "$RAW"
export JAVA JVM_OPTS
CLK_TCK=$(getconf CLK_TCK)

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

load() { # port warmup duration [extra args] -> the client's command line
  local port=$1 warm=$2 secs=$3; shift 3
  echo "$JAVA -Xms256m -Xmx256m -cp $loadjar bench.download.DownloadLoad --host 127.0.0.1 --port $port --path /file --length $LENGTH --conns $CONNS --warmup $warm --duration $secs --clk-tck $CLK_TCK $*"
}

measure() { # rep name crc_ok
  local rep=$1 name=$2 crc_ok=$3 base=$OUT/logs/$2-rep$1 try rc foreign cmd
  cmd=$(load "${PORT[$name]}" "$WARMUP" "$DURATION" --server-pid "$SRV_PID")
  echo "$cmd" > "$base.cmd"
  for try in $(seq 0 "$RETRIES"); do
    wait_quiet
    timeout $((WARMUP + DURATION + 150)) $cmd > "$base.log" 2>&1; rc=$?
    foreign=$(kv foreign_cpu_pct "$base.log")
    if [ -n "$foreign" ] && awk "BEGIN{exit !($foreign > $NOISE_PCT)}" && [ "$try" -lt "$RETRIES" ]; then
      log "    other processes used ${foreign}% of a core ($(kv gbps "$base.log") GB/s); re-measuring"
      cp "$base.log" "$base.noisy$try.log"
      continue
    fi
    break
  done
  echo "$rep,$name,$rc,$(kv gbps "$base.log"),$(kv bytes "$base.log"),$(kv seconds "$base.log"),$(kv downloads "$base.log"),$(kv errors "$base.log"),$crc_ok,$(kv srv_cpu_s "$base.log"),$(kv srv_cpu_s_per_gb "$base.log"),$(kv srv_cpu_pct "$base.log"),$(kv load_cpu_pct "$base.log"),$(kv load_cpu_s_per_gb "$base.log"),$foreign,$((try + 1))" >> "$RAW"
  log "    rc=$rc $(kv gbps "$base.log") GB/s downloads=$(kv downloads "$base.log") errors=$(kv errors "$base.log") server_cpu=$(kv srv_cpu_pct "$base.log")% ($(kv srv_cpu_s_per_gb "$base.log") s/GB) client_cpu=$(kv load_cpu_pct "$base.log")% other=${foreign}%"
  [ "$rc" = 0 ] || log "    WARNING: the client failed (see $base.log)"
}

{
  echo "date: $(date -Is)"; echo "host: $(uname -a)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc)"
  echo "java: $($JAVA -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "JVM_OPTS: $JVM_OPTS"; echo "client: bench/ws DownloadLoad, $CONNS connections, GET /file"
  echo "file: $FILE ($LENGTH bytes, CRC-32C $CRC)"
  echo "reps: $REPS, duration $DURATION s, warm-up $WARMUP s, start warm-up $START_WARMUP s"
  echo "servers: ${NAMES[*]}"
} > "$OUT/env.txt"
tee -a "$OUT/run.log" < "$OUT/env.txt"

for rep in $(seq 1 "$REPS"); do
  count=${#NAMES[@]}
  for i in $(seq 0 $((count - 1))); do
    # The starting server rotates, so that no server always runs first (or last) in a repetition.
    name=${NAMES[$(( (i + rep - 1) % count ))]}
    log "rep $rep/$REPS $name"
    start_server "$name" "$rep" || continue
    # The start warm-up (JIT) also downloads the file once whole and compares its CRC-32C.
    sw=$OUT/logs/$name-startwarmup-rep$rep.log
    timeout $((START_WARMUP + 150)) $(load "${PORT[$name]}" 0 "$((START_WARMUP > 0 ? START_WARMUP : 1))" --crc "$CRC") > "$sw" 2>&1
    crc_ok=$(kv crc_ok "$sw"); [ -n "$crc_ok" ] || crc_ok=0
    [ "$crc_ok" = 1 ] || log "  WARNING: the checked download did not match CRC-32C $CRC (see $sw)"
    measure "$rep" "$name" "$crc_ok"
    stop_server
  done
done

python3 - "$RAW" "$OUT/env.txt" > "$OUT/table.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
env = dict(line.rstrip("\n").split(": ", 1) for line in open(sys.argv[2]) if ": " in line)
def floats(values):
    return [float(v) for v in values if v not in ("", None)]
def med(values, fmt):
    values = floats(values)
    return format(statistics.median(values), fmt) if values else "-"
def spread(values):
    values = floats(values)
    return f"{min(values):.2f}-{max(values):.2f}" if values else "-"
print(f"file: {env.get('file', '?')}; {env.get('client', '')}; reps {env.get('reps', '')}")
print()
print("| server | GB/s (median) | GB/s (range) | server CPU s/GB | server + client CPU s/GB | server CPU (% of a core) | client CPU (% of a core) | other CPU (% of a core) | runs | downloads | errors | CRC checked |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
servers = []
for r in rows:
    if r["server"] not in servers:
        servers.append(r["server"])
for s in servers:
    rs = [r for r in rows if r["server"] == s]
    errors = sum(int(r["errors"] or 0) for r in rs) + sum(1 for r in rs if r["rc"] != "0")
    print(f"| {s} | {med((r['gbps'] for r in rs), '.2f')} | {spread(r['gbps'] for r in rs)} "
          f"| {med((r['srv_cpu_s_per_gb'] for r in rs), '.3f')} "
          f"| {med((float(r['srv_cpu_s_per_gb']) + float(r['load_cpu_s_per_gb']) for r in rs if r['srv_cpu_s_per_gb'] and r['load_cpu_s_per_gb']), '.3f')} "
          f"| {med((r['srv_cpu_pct'] for r in rs), '.0f')} "
          f"| {med((r['load_cpu_pct'] for r in rs), '.0f')} | {med((r['foreign_cpu_pct'] for r in rs), '.0f')} | {len(rs)} "
          f"| {sum(int(r['downloads'] or 0) for r in rs)} | {errors} "
          f"| {sum(1 for r in rs if r['crc_ok'] == '1')}/{len(rs)} ok |")
PY
cat "$OUT/table.md"
echo
echo "raw: $RAW   logs: $OUT/logs   table: $OUT/table.md"
