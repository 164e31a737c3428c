#!/usr/bin/env bash
# A large streamed response to a slow reader (issue 14; not part of `mvn verify`: at the defaults
# it takes about 18 minutes; loopback only, bounded in time). Starts the packaged sample app and
# runs scripts/SlowDownload.java: GET /bytes?n=SIZE on the HTTP listener, read at RATE bytes/s
# through a 64 KiB receive buffer, every byte checked; once a second the Actuator's
# /actuator/tcpserver gives the connection's queued output, which must stay under twice the
# write high-water mark (tcp.server.write-buffer-high-water-mark, 64 KiB by default) for the
# whole download.
#
#   mvn -B -q install -DskipTests && scripts/slow-download.sh [size-mib=1024] [rate-kb/s=1000]
#   scripts/slow-download.sh 64 4000            # a one-minute check: 64 MiB at 4 MB/s
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
rate_kb=${2:-1000}
hwm=65536
jar=sample-app/target/tcp-server-sample-app.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
size=$(( size_mib * 1024 * 1024 ))
rate=$(( rate_kb * 1000 ))
# The download's duration plus start-up and a margin: the script never runs unbounded.
limit=$(( size / rate + 120 ))
log=$(mktemp)
java -Xms256m -Xmx256m -jar "$jar" --server.port=0 --server.address=127.0.0.1 --tcp.server.port=0 \
  --tcp.server.address=127.0.0.1 --http.port=0 --chat.port=0 --chat.framed-port=0 --sample.download.port=0 \
  --sample.tls.echo-port=0 --sample.tls.https-port=0 --sample.tls.chat-port=0 --sample.tls.mutual-port=0 \
  --tcp.server.write-buffer-high-water-mark=$hwm >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 240); do
  grep -q "Started SampleApplication" "$log" && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
http_port=$(grep -o "'http' on [^ ]*" "$log" | head -1 | sed 's/.*://' || true)
actuator_port=$(grep -o "Tomcat started on port [0-9]*" "$log" | head -1 | grep -o '[0-9]*$' || true)
[ -n "$http_port" ] && [ -n "$actuator_port" ] || { echo "sample app did not start:"; cat "$log"; exit 1; }
echo "sample app pid $pid, HTTP on $http_port, Actuator on $actuator_port: ${size_mib} MiB at ${rate_kb} kB/s (at most ${limit} s)"
if timeout "$limit" java scripts/SlowDownload.java "$http_port" "$actuator_port" "$size" "$rate" "$hwm"; then
  grep -q "tcp.server.max-queued-output" "$log" && { echo "SLOW-DOWNLOAD FAILED: the server logged an output overflow"; exit 1; }
  echo "SLOW-DOWNLOAD PASSED: ${size_mib} MiB delivered whole at ${rate_kb} kB/s, queued output under 2 x ${hwm} bytes"
else
  echo "SLOW-DOWNLOAD FAILED"; tail -20 "$log"; exit 1
fi
