#!/usr/bin/env bash
# A first end-to-end run of JourneyStore: build, create a centre's store,
# append contact events, show them back, verify the log and print its figures.
# Usage: bash Scripts/first-run.sh [DIR]   (DIR defaults to ./journey-first-run)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-./journey-first-run}
rm -rf "$dir"
swift build -c release --product journey >/dev/null
journey=.build/release/journey
sample=Fixtures/samples/first-run.jsonl

echo "== journey init: a store for the centre 'north'"
$journey init --data "$dir" --site north
echo
echo "== journey append: $(wc -l < "$sample") events from $sample"
$journey append --data "$dir" "$sample"
echo "== the same file again: every id is already held, nothing is stored twice"
$journey append --data "$dir" "$sample"
echo
echo "== journey cat: the log as canonical JSONL (first 3 lines)"
$journey cat --data "$dir" | head -3
echo
echo "== journey verify: CRC, hash chain and signature of every block"
$journey verify --data "$dir"
echo
echo "== journey stats"
$journey stats --data "$dir"
echo
echo "The store is in $dir; try: $journey cat --data $dir --since 2026-03-02T08:02:00Z"
