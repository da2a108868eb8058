#!/usr/bin/env bash
# The generated suite alone against the example service and each of its seeded bugs:
# generates scenarios for examples/auth-resource into a temporary copy of the suite (no
# hand-written scenario in it), runs it on the correct service, then once per bug, and
# prints the per-bug table (caught = the run fails).
#
#   bash bench/generated-bugs.sh            # every seeded bug (CROSSCHECK_BROKER_URL for the message bugs)
#   bash bench/generated-bugs.sh no_timeout # some
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p crosscheck
cargo build -q --release -p resource-api
bin="$PWD/target/release/crosscheck"
# shellcheck source=bench/lib.sh
source bench/lib.sh
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The copy starts the service from the example's folder; its scenarios are only the generated ones.
bench_example_suite "$tmp"
"$bin" generate "$tmp" >/dev/null
"$bin" validate "$tmp" >/dev/null
scenarios=$(grep -h '^id:' "$tmp"/scenarios/generated/*.yaml | wc -l)

bugs=("$@")
if [ ${#bugs[@]} -eq 0 ]; then
  mapfile -t bugs < <(sed -n 's/^| `\([a-z0-9_]*\)` |.*/\1/p' "$example/README.md")
fi

start=$(date +%s.%N)
if "$bin" run "$tmp" --color never >"$tmp/correct.out" 2>&1; then
  echo "correct service: all $scenarios generated scenarios pass ($(echo "$(date +%s.%N) - $start" | bc | cut -c1-4) s)"
else
  echo "correct service: FAILED"; cat "$tmp/correct.out"; exit 1
fi
caught=0
printf '| %-26s | %-6s | %s\n' bug caught "failing generated scenarios"
for bug in "${bugs[@]}"; do
  if RESOURCE_API_BUG="$bug" "$bin" run "$tmp" --color never >"$tmp/$bug.out" 2>&1; then
    printf '| %-26s | %-6s | %s\n' "$bug" no "-"
  else
    caught=$((caught + 1))
    failing=$(sed -n 's/^ *FAIL  \([^ ]*\).*/\1/p' "$tmp/$bug.out" | sort -u | tr '\n' ' ')
    printf '| %-26s | %-6s | %s\n' "$bug" yes "$failing"
  fi
done
echo "caught $caught of ${#bugs[@]} seeded bugs"
