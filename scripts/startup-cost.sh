#!/usr/bin/env bash
# What the starter adds to application start-up (not part of `mvn verify`; loopback only, bounded
# in time): scripts/startup/PlainApp (Spring Boot, three plain loopback server sockets) and
# scripts/startup/StarterApp (the same with the starter and three @SocketHandler listeners: echo,
# echo, HTTP) are compiled against the starter module's runtime class path (the plain app without
# the starter's classes) and each started RUNS times, alternately; each run closes once started.
# Printed: the classes loaded and beans defined by each, Boot's "Started ... in X seconds (process
# running for Y)" and the JVM's CPU time per run, then the medians.
#
#   scripts/startup-cost.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
(( runs >= 1 && runs <= 20 )) || { echo "runs: 1..20" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The starter's runtime class path; the reactor resolves the autoconfigure module to its classes.
timeout 600 mvn -B -q -o -Dstyle.color=never compile dependency:build-classpath -pl starter -am -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$work/cp.txt" >/dev/null
starter_cp=$(cat "$work/cp.txt")
plain_cp=$(tr ':' '\n' <"$work/cp.txt" | grep -v '/autoconfigure/target/classes$' | paste -sd: -)
[ "$plain_cp" != "$starter_cp" ] || { echo "the starter's classes were not on the class path" >&2; exit 1; }
mkdir -p "$work/plain" "$work/starter"
javac -d "$work/plain" -cp "$plain_cp" scripts/startup/PlainApp.java
javac -d "$work/starter" -cp "$starter_cp" scripts/startup/StarterApp.java
opts=(-Dspring.main.banner-mode=off)  # the JVM's defaults, as an application gets them
start() { # variant, class path, its other part, class -> "started-seconds process-seconds cpu-seconds"
  local out cpu
  # The JVM's CPU time (user + system, all its threads), from bash's time keyword: unlike the wall
  # clock it hardly moves when other processes share the cores.
  cpu=$( { TIMEFORMAT='%U %S'; time timeout 60 java "${opts[@]}" -cp "$2:$3" "startup.$4" >"$work/out.txt" 2>&1; } 2>&1 ) \
    || { cat "$work/out.txt" >&2; return 1; }
  out=$(cat "$work/out.txt")
  [ "$1" = plain ] || [ "$(echo "$out" | grep -c "TCP server listening: ")" -ge 3 ] \
    || { echo "$out" >&2; echo "the starter app did not report three listeners" >&2; return 1; }
  echo "$(echo "$out" | grep -o "Started $4 in [0-9.]* seconds (process running for [0-9.]*)" \
    | sed -E 's/.* in ([0-9.]+) seconds \(process running for ([0-9.]+)\)/\1 \2/') $(echo "$cpu" | awk '{ print $1 + $2 }')"
  echo "$out" | grep -o "startup-cost: .*" >"$work/$1.counts"
}
# One discarded start of each: the first reads the jars from disk.
start plain "$work/plain" "$plain_cp" PlainApp >/dev/null
start starter "$work/starter" "$starter_cp" StarterApp >/dev/null
: >"$work/plain.txt"; : >"$work/starter.txt"
echo "plain:   $(sed 's/startup-cost: //' "$work/plain.counts") (loaded, defined)"
echo "starter: $(sed 's/startup-cost: //' "$work/starter.counts")"
for i in $(seq 1 "$runs"); do
  p=$(start plain "$work/plain" "$plain_cp" PlainApp); echo "$p" >>"$work/plain.txt"
  s=$(start starter "$work/starter" "$starter_cp" StarterApp); echo "$s" >>"$work/starter.txt"
  read -r pc pp pu <<<"$p"; read -r sc sp su <<<"$s"
  echo "run $i: plain started in $pc s (process $pp s, CPU $pu s), starter started in $sc s (process $sp s, CPU $su s)"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for f in plain starter; do
  ctx=$(cut -d' ' -f1 "$work/$f.txt" | median); proc=$(cut -d' ' -f2 "$work/$f.txt" | median)
  cpu=$(cut -d' ' -f3 "$work/$f.txt" | median)
  echo "$f: median started in $ctx s, process running for $proc s, JVM CPU $cpu s"
  eval "${f}_ctx=$ctx ${f}_proc=$proc ${f}_cpu=$cpu"
done
awk -v a="$plain_ctx" -v b="$starter_ctx" -v c="$plain_proc" -v d="$starter_proc" -v e="$plain_cpu" -v f="$starter_cpu" \
  'BEGIN { printf "the starter adds %.0f ms to start-up (%.0f ms to the process), %.0f ms of CPU\n", (b - a) * 1000, (d - c) * 1000, (f - e) * 1000 }'
