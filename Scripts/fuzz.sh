#!/usr/bin/env bash
# Fuzzes every decoder of untrusted input with libFuzzer (coverage-guided,
# AddressSanitizer), SECONDS per target, and fails if any target trapped,
# hung (over 10 s on one input) or broke a property.
#
#   Scripts/fuzz.sh [SECONDS] [TARGET ...]        (default 60 s, every target)
#
# Inputs that found a problem are written to Fuzz/regressions/TARGET/: commit
# them once fixed, and `swift test` replays them forever. New coverage found
# goes to .build/fuzz-corpus/TARGET (not committed); Fuzz/corpus/TARGET holds
# the small seed corpus. The summary line per target gives executions and
# coverage (libFuzzer's "cov" = instrumented edges reached).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true

swiftc_path=$(readlink -f "$(command -v swiftc)")
runtime=$(ls "$(dirname "$(dirname "$swiftc_path")")"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
if [ -z "$runtime" ]; then
  echo "fuzz.sh: libclang_rt.fuzzer_no_main is not in this Swift toolchain; use a swift.org Linux toolchain" >&2
  exit 2
fi

# The program has its own main and calls LLVMFuzzerRunDriver, so libFuzzer's
# runtime without main is linked and -sanitize=fuzzer (which brings libFuzzer's
# main) is not used: Package.swift sees JOURNEY_FUZZ_RUNTIME and builds this
# package's modules with -sanitize-coverage and AddressSanitizer.
# FUZZ_CONFIG=debug reuses a debug build's dependencies (what CI does after
# `swift test`); the default release build fuzzes faster.
config=${FUZZ_CONFIG:-release}
echo "fuzz.sh: building journey-fuzz ($config) with coverage and AddressSanitizer…"
JOURNEY_FUZZ_RUNTIME="$runtime" swift build -c "$config" --product journey-fuzz 2>&1 \
  | grep -Ev "Cannot export local symbol|^\[|^Compiling|^Write|^Emitting|^Building|^Linking|^Planning" || true
bin=$(JOURNEY_FUZZ_RUNTIME="$runtime" swift build -c "$config" --show-bin-path)/journey-fuzz
[ -x "$bin" ] || { echo "fuzz.sh: the build failed" >&2; exit 1; }
work_root=.build/fuzz-corpus
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("$bin" --list 2>&1 | awk 'NR > 2 { print $1 }'); fi

failed=0
printf '%-11s %12s %8s %8s %s\n' target executions exec/s cov result
for t in "${targets[@]}"; do
  work=$work_root/$t
  mkdir -p "$work" "Fuzz/regressions/$t"
  log=$work_root/fuzz-$t.log
  set +e
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    "$bin" "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -max_len=65536 \
      -dict=Fuzz/hostile.dict -print_final_stats=1 -artifact_prefix="Fuzz/regressions/$t/" "$work" "Fuzz/corpus/$t" >"$log" 2>&1
  status=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  if [ $status -eq 0 ]; then result=ok; else result="FOUND (see $log and Fuzz/regressions/$t/)"; failed=1; fi
  printf '%-11s %12s %8s %8s %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$result"
done
# Empty regression folders are not kept.
find Fuzz/regressions -type d -empty -delete 2>/dev/null || true
exit $failed
