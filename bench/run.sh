#!/usr/bin/env bash
# Benchmarks the starter (the sample app's echo and HTTP listeners, default settings, Actuator and
# metrics on) side by side with the reference servers of the benchmark workshop in ../shared/bench
# (Netty 4.2 NIO/epoll, a naive single-thread NIO echo, Spring Boot/Tomcat), in one invocation.
# Not part of `mvn verify`. Loopback only; every run is bounded in time.
#
#   bench/run.sh                                   # everything, 3 reps (about 35 minutes)
#   bench/run.sh --scenarios echo64,http100 --reps 3
#   bench/run.sh --servers starter-echo,netty-echo-nio --scenarios echo64 --reps 1
#   bench/run.sh --servers starter-https,netty-https-nio,netty-https-epoll,netty-https-epoll-openssl,spring-tomcat-https \
#       --scenarios https100,tlshs --reps 5                  # TLS (issue 19)
#
#   bench/run.sh --ws [bench/ws.sh options]        # WebSocket echo vs Netty's WebSocket server (bench/ws.sh)
#   bench/run.sh --download [bench/download.sh options]   # 1 GiB file downloads vs Netty's DefaultFileRegion (bench/download.sh)
#
# Options are those of the workshop's run-anchors.sh (--help). Results land in bench/results/<date>/
# (table.md, raw.csv, logs), git-ignored; copy the table into BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --ws ]; then
  shift
  exec "$root/bench/ws.sh" "$@"
fi
if [ "${1:-}" = --download ]; then
  shift
  exec "$root/bench/download.sh" "$@"
fi
workshop=${BENCH_WORKSHOP:-$root/../shared/bench}
[ -f "$workshop/run-anchors.sh" ] || { echo "benchmark workshop not found at $workshop (set BENCH_WORKSHOP)" >&2; exit 2; }
work=$root/bench/work
mkdir -p "$work"
# The workshop is read-only: build it in a private copy (once; rebuilt when the workshop changes).
if [ ! -f "$work/.copied" ] || [ "$workshop/run-anchors.sh" -nt "$work/.copied" ]; then
  rm -rf "$work/ws" && cp -r "$workshop" "$work/ws" && chmod -R u+w "$work/ws" && touch "$work/.copied"
fi
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -x "$work/ws/loadgen/loadgen" ] || make -s -C "$work/ws/loadgen"
[ -f "$work/ws/refservers/netty/target/refservers-netty.jar" ] || mvn -B -q -f "$work/ws/refservers/pom.xml" package -DskipTests
[ -f "$root/sample-app/target/tcp-server-sample-app.jar" ] || mvn -B -q -f "$root/pom.xml" install -DskipTests
# A private copy, so that rebuilding the project during a long run does not change what is measured.
jar=$work/tcp-server-sample-app.jar
cp "$root/sample-app/target/tcp-server-sample-app.jar" "$jar"
# Every other listener of the sample app on a free port, so that only the measured one is fixed.
others="--chat.port=0 --chat.framed-port=0 --sample.download.port=0 --server.port=0 --sample.tls.echo-port=0 --sample.tls.chat-port=0 --sample.tls.mutual-port=0"
noobs="--management.observations.enable.tcp.server=false --management.metrics.enable.tcp.server.connections.duration=false"
# HTTPS: the sample's HTTPS listener with the workshop's certificate in the SSL bundle 'sample'.
tls="--spring.ssl.bundle.pem.sample.keystore.certificate=file:{CERT} --spring.ssl.bundle.pem.sample.keystore.private-key=file:{KEY}"
conf=$work/servers.conf
{
  grep -v '^#' "$work/ws/servers.conf" | grep -v '^$'
  echo "starter-echo  echo  127.0.0.1:7000  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.address={HOST} --tcp.server.port={PORT} --http.port=0 --sample.tls.https-port=0 $others"
  # The starter's defaults: per-request metrics through the direct timer. starter-http-obs runs the
  # full Observation per request (what a tracer or an ObservationHandler bean turns on).
  echo "starter-http  http  127.0.0.1:7080  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.port=0 --http.port={PORT} --sample.tls.https-port=0 $others"
  echo "starter-http-obs  http  127.0.0.1:7080  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.port=0 --http.port={PORT} --sample.tls.https-port=0 --tcp.server.http.observations-enabled=true $others"
  echo "starter-https https 127.0.0.1:7443  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.port=0 --http.port=0 --sample.tls.https-port={PORT} $tls $others"
  # Two I/O loops instead of the default (half the cores: one here); the handshakes' CPU work runs
  # on the shared handshake threads either way (tcp.server.ssl.handshake-executor unset).
  echo "starter-https-io2 https 127.0.0.1:7443  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.port=0 --http.port=0 --sample.tls.https-port={PORT} --tcp.server.io-threads=2 $tls $others"
  # The same with the server's observations and connection-duration timer off: the pairs measure
  # what observability costs (issue 17: within 3 % CPU per operation).
  echo "starter-echo-noobs  echo  127.0.0.1:7000  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.address={HOST} --tcp.server.port={PORT} --http.port=0 --sample.tls.https-port=0 $others $noobs"
  echo "starter-http-noobs  http  127.0.0.1:7080  \$JAVA \$JVM_OPTS -jar $jar --tcp.server.port=0 --http.port={PORT} --sample.tls.https-port=0 $others $noobs"
} > "$conf"
out=$root/bench/results/$(date +%Y%m%d-%H%M%S)
cd "$work/ws"
exec ./run-anchors.sh --config "$conf" --out "$out" "$@"
