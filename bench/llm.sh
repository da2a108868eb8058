#!/usr/bin/env bash
# LLM-assisted generation on examples/auth-resource, measured with the committed cassette
# (examples/auth-resource/llm/cassette.json: answers AUTHORED BY HAND and recorded through a
# scripted server, not a real model; see docs/llm.md). Prints the proposals accepted and
# rejected by reason, then the seeded bugs caught by the rule-based suite alone and by the
# rule-based suite plus the accepted proposals, one row per bug (caught = the run fails).
# Both suites must pass on the correct service. Messages are checked on a real Redis
# (started here through scripts/servers.sh, on its own ports) and rows on SQLite.
#
#   bash bench/llm.sh               # all seeded bugs
#   bash bench/llm.sh no_timeout    # some
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p crosscheck
cargo build -q --release -p resource-api
bin="$PWD/target/release/crosscheck"
# shellcheck source=bench/lib.sh
source bench/lib.sh
tmp="$(mktemp -d)"

export CROSSCHECK_REDIS_PORT="${CROSSCHECK_REDIS_PORT:-56391}"
export TMPDIR="${TMPDIR:-/tmp}"
# shellcheck source=scripts/servers.sh
source scripts/servers.sh
CROSSCHECK_SERVERS_DIR="$tmp/servers"
crosscheck_start_redis
trap 'crosscheck_stop_servers; rm -rf "$tmp"' EXIT
export CROSSCHECK_BROKER_URL="redis://127.0.0.1:$CROSSCHECK_REDIS_PORT/"

bench_example_suite "$tmp/rules"
bench_example_suite "$tmp/llm"
"$bin" generate "$tmp/rules" >/dev/null
"$bin" generate "$tmp/llm" --llm-replay "$example/llm/cassette.json" >"$tmp/llm.out"
"$bin" validate "$tmp/rules" >/dev/null
"$bin" validate "$tmp/llm" >/dev/null
sed -n '/^llm:/,$p' "$tmp/llm.out" | grep -E '^llm:|^  (accepted|rejected)' || true
python3 - "$tmp/llm/scenarios/generated/llm-rejected.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"accepted {len(d['accepted'])}, rejected {len(d['rejected'])}")
for reason, n in d["rejected_by_reason"].items():
    print(f"  rejected {reason}: {n}")
PY
n_rules=$(grep -h '^id:' "$tmp"/rules/scenarios/generated/*.yaml | wc -l)
n_llm=$(grep -h '^id:' "$tmp"/llm/scenarios/generated/*.yaml | wc -l)

for s in rules llm; do
  if ! "$bin" run "$tmp/$s" --no-build --color never >"$tmp/$s-correct.out" 2>&1; then
    echo "correct service: the $s suite FAILED"; cat "$tmp/$s-correct.out"; exit 1
  fi
  if grep -q "not checked" "$tmp/$s-correct.out"; then
    echo "warning: some checks were not run in the $s suite:"; grep "not checked" "$tmp/$s-correct.out" | head -3
  fi
done
echo "correct service: all $n_rules rule-based scenarios pass; all $n_llm rule-based + LLM scenarios pass"

bugs=("$@")
if [ ${#bugs[@]} -eq 0 ]; then
  mapfile -t bugs < <(sed -n 's/^| `\([a-z0-9_]*\)` |.*/\1/p' "$example/README.md")
fi
caught_rules=0; caught_llm=0
printf '| %-26s | %-5s | %-11s | %s\n' bug rules "rules + llm" "failing LLM scenarios"
for bug in "${bugs[@]}"; do
  r=no; l=no; failing="-"
  if ! RESOURCE_API_BUG="$bug" "$bin" run "$tmp/rules" --no-build --color never >"$tmp/r-$bug.out" 2>&1; then
    r=yes; caught_rules=$((caught_rules + 1))
  fi
  if ! RESOURCE_API_BUG="$bug" "$bin" run "$tmp/llm" --no-build --color never >"$tmp/l-$bug.out" 2>&1; then
    l=yes; caught_llm=$((caught_llm + 1))
    failing=$(sed -n 's/^ *FAIL  \(llm-[^ ]*\).*/\1/p' "$tmp/l-$bug.out" | sort -u | tr '\n' ' ')
    [ -z "$failing" ] && failing="-"
  fi
  printf '| %-26s | %-5s | %-11s | %s\n' "$bug" "$r" "$l" "$failing"
done
echo "caught: rule-based alone $caught_rules of ${#bugs[@]}; rule-based + accepted LLM proposals $caught_llm of ${#bugs[@]}"
