#!/usr/bin/env python3
"""CPU cost per operation from a benchmark run's raw.csv (the workshop's format).

    bench/efficiency.py bench/results/<run>/raw.csv [more raw.csv ...]

For every scenario and server: the median over the repetitions of the server's CPU time per
round trip, request or echoed WebSocket message (bench/ws.sh): server CPU % / rate, in
microseconds; the same for the load generator, and the median of their ratio per run. Throughput
on this two-core machine is capped by the load generator (one thread, ~99 % of a core against
the fastest servers), so it cannot show how much cheaper one server is than another once both
outrun the load generator; CPU time per operation can. The machine's speed drifts from minute to
minute and moves both costs together; the load generator is the same program against every
server, so the ratio takes most of that drift out. Idle and failed runs are skipped.
"""
import csv
import statistics
import sys
from collections import defaultdict

ORDER = ["echo64", "echo64p16", "echo16k", "http100", "http256", "ws64", "ws64p16", "ws1k", "ws1kbin"]


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = defaultdict(list)
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                if r.get("rc") != "0" or not r.get("rps") or not r.get("srv_cpu_pct"):
                    continue
                rps = float(r["rps"])
                if rps <= 0:
                    continue
                srv = float(r["srv_cpu_pct"]) / 100 / rps * 1e6
                load = float(r["load_cpu_pct"]) / 100 / rps * 1e6 if r.get("load_cpu_pct") else float("nan")
                rows[(r["scenario"], r["server"])].append((srv, load, rps))
    print("| scenario | server | server CPU µs per op (median) | min..max | load generator CPU µs per op | server ÷ load generator | rate (median) | runs |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    scenarios = sorted({s for s, _ in rows}, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER))
    for scenario in scenarios:
        servers = sorted((srv for s, srv in rows if s == scenario),
                         key=lambda srv: statistics.median(x[0] for x in rows[(scenario, srv)]))
        for server in servers:
            runs = rows[(scenario, server)]
            cost = [x[0] for x in runs]
            print(f"| {scenario} | {server} | {statistics.median(cost):.2f} | {min(cost):.2f}..{max(cost):.2f} "
                  f"| {statistics.median(x[1] for x in runs):.2f} | {statistics.median(x[0] / x[1] for x in runs):.2f} "
                  f"| {statistics.median(x[2] for x in runs):,.0f} | {len(runs)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
