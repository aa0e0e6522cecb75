#!/usr/bin/env bash
# Runs the whole benchmark suite (`journey-bench all`) on a release build and
# keeps the report, as docs/benchmarks.md records it.
#
#   bash Scripts/bench.sh [EVENTS]     EVENTS in the simulated store (default 2,000,000;
#                                      the target scale is 10,000,000: about 15 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-2000000}
# journey-bench runs journey (ingest, demo) as a child: build both.
swift build -c release --product journey >/dev/null
swift build -c release --product journey-bench >/dev/null
out=bench-$(date -u +%Y%m%d-%H%M%S)
.build/release/journey-bench all --events "$events" | tee "$out.txt"
.build/release/journey-bench all --events "$events" --json > "$out.json"
echo "report: $out.txt and $out.json"
