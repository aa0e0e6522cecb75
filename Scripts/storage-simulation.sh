#!/usr/bin/env bash
# Runs the seeded storage fault simulation over a long seed range
# (swift test runs seeds 1–40). Usage: Scripts/storage-simulation.sh [FIRST-LAST]
# Prints the faults injected and the outcomes; exits non-zero if any seed
# broke the invariant (its seed and last steps are printed: rerun it alone
# with JOURNEY_SIM_SEEDS=N-N).
set -euo pipefail
cd "$(dirname "$0")/.."
range="${1:-1-2000}"
swift build --build-tests
JOURNEY_SIM_SEEDS="$range" swift test --skip-build --filter StorageSimulationTests 2>&1 | grep -E "storage simulation|error|Executed" 
