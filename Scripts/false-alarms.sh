#!/usr/bin/env bash
# Measures how often the insight monitors raise an alarm when nothing is
# wrong: for each seed, one centre simulated for 35 days without any
# scenario; `insights mix` tests the last 7 days, `insights attrition` looks
# at the last week. Prints one line per seed and the rates.
# Usage: bash Scripts/false-alarms.sh [SEEDS] [AGENTS] [CONTACTS_PER_DAY]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}; agents=${2:-200}; contacts=${3:-6500}
swift build -c release --product journey >/dev/null
journey=.build/release/journey
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flagged_days=0; tested_days=0; flagged_agents=0; seeds_quiet=0
for seed in $(seq 1 "$seeds"); do
  dir="$work/s$seed"
  $journey init --data "$dir" --site north >/dev/null
  $journey simulate --data "$dir" --days 35 --seed "$seed" --agents "$agents" --contacts-per-day "$contacts" >/dev/null
  days=$($journey insights mix --data "$dir" --from 2026-03-30 --to 2026-04-05 --csv 2>/dev/null | awk -F, 'NR > 1 && $11 == "yes" { print $2 }' | sort -u | wc -l)
  attrition=$($journey insights attrition --data "$dir" --csv 2>/dev/null)
  agents_flagged=$(echo "$attrition" | awk -F, 'NR > 1 && $6 == "yes"' | wc -l)
  top_score=$(echo "$attrition" | awk -F, 'NR == 2 { print $5 }')
  echo "seed $seed: $days of 7 days with a mix alarm; $agents_flagged of $agents agents flagged for attrition (highest score $top_score)"
  flagged_days=$((flagged_days + days)); tested_days=$((tested_days + 7)); flagged_agents=$((flagged_agents + agents_flagged))
  if [ "$days" -eq 0 ] && [ "$agents_flagged" -eq 0 ]; then seeds_quiet=$((seeds_quiet + 1)); fi
  rm -rf "$dir"
done
echo "mix: $flagged_days of $tested_days site-days raised an alarm ($(awk "BEGIN { printf \"%.1f\", 100 * $flagged_days / $tested_days }") %; alpha 1 %)"
echo "attrition: $flagged_agents agents flagged over $seeds seeds × $agents agents ($(awk "BEGIN { printf \"%.2f\", 100 * $flagged_agents / ($seeds * $agents) }") %)"
echo "seeds with no alarm at all: $seeds_quiet of $seeds"
