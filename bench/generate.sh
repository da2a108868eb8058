#!/usr/bin/env bash
# Benchmark for `crosscheck generate` on large specs (issue 3, "Speed"), release build.
#
# For GitHub (OpenAPI 3.0.3, 874 operations) and Kubernetes (Swagger 2.0, 1,123 operations)
# from ../shared/corpus/openapi-large: `crosscheck init --contract SPEC` makes a suite (one
# requirement per operation, so every operation is generated for), then `crosscheck generate`
# is timed — one process: load the contract, link requirements, generate, write the files —
# with hyperfine (mean wall-clock and CPU), and its peak RSS with GNU time. In the same
# script Schemathesis (PyPI, venv under bench/out) loads the same spec and iterates its
# operations, for the ratio (it generates nothing at that point: the ratio flatters it).
#
# Needs hyperfine, GNU time, python3-venv (installed from Debian when missing) and the
# corpus. Writes bench/out/generate.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_corpus
bench_need_peers
bench_schemathesis

cat > "$out/st_load.py" <<'PY'
import sys
import schemathesis

schema = schemathesis.openapi.from_path(sys.argv[1])
ok = errors = 0
for result in schema.get_all_operations():
    try:
        result.ok()
        ok += 1
    except Exception:
        errors += 1
print(f"schemathesis operations={ok} errors={errors}")
PY

cargo build -q --release -p crosscheck
cc=$PWD/target/release/crosscheck
runs=${RUNS:-5}
trash=$out/generate-trash; rm -rf "$trash"; mkdir -p "$trash"
aside=$out/aside.sh
printf '#!/usr/bin/env bash\n[ -e "$1" ] && mv "$1" "%s/$(date +%%s%%N)" || true\n' "$trash" > "$aside"

peak_mb() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }'; }
mean_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f" % (r["mean"]*1000))' "$1"; }
cpu_ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f" % ((r["user"]+r["system"])*1000))' "$1"; }

{
  echo "# Generation on large specs: crosscheck vs Schemathesis $st_version (load only)"
  echo
  echo "Release build; one process per run, start-up included; mean of $runs runs (hyperfine) as"
  echo "wall-clock / CPU (user + system); peak RSS from GNU time. Load average at the start:"
  echo "$(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores."
  echo
  echo "| spec | operations | scenarios (files) | crosscheck load + generate | regenerate (unchanged) | peak RSS | Schemathesis load | peak RSS | ratio (CPU) |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$out/generate.md"

for spec in github/api.github.com.2022-07-18.octokit.json kubernetes/swagger-v1.36.json; do
  file=$corpus/$spec
  name=${spec%%/*}
  suite=$out/gen-$name
  [ -e "$suite" ] && mv "$suite" "$trash/old-$name"; mkdir -p "$suite"
  "$cc" init --contract "$file" "$suite" >/dev/null
  summary=$("$cc" generate "$suite" 2>&1 | tail -n 20)
  scen=$(grep -rh '^id: ' "$suite/scenarios/generated" | wc -l)
  files=$(ls "$suite/scenarios/generated" | wc -l)
  ops=$(grep -c '^- \*\*' "$suite/requirements.md" || true)
  # Each timed run starts from an empty output folder, as a first generation does. The
  # previous run's files are moved aside, not deleted: on ext4, creating thousands of files
  # within ~30 s of deleting thousands costs the kernel ~0.5 ms each (`recently_deleted`
  # in the inode allocator), which a user's first generation never meets.
  "$cc" generate "$suite" >/dev/null 2>&1
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/regen-$name.json" \
    "$cc generate $suite" >/dev/null
  hyperfine -N --warmup 1 --runs "$runs" --prepare "bash $aside $suite/scenarios/generated" \
    --export-json "$out/gen-$name.json" "$cc generate $suite" >/dev/null
  hyperfine -N --warmup 1 --runs "$(( runs < 3 ? runs : 3 ))" --export-json "$out/gen-st-$name.json" \
    "$venv/bin/python $out/st_load.py $file" >/dev/null
  bash "$aside" "$suite/scenarios/generated"
  mem=$(peak_mb "$cc" generate "$suite")
  st_mem=$(peak_mb "$venv/bin/python" "$out/st_load.py" "$file")
  c=$(cpu_ms "$out/gen-$name.json"); s=$(cpu_ms "$out/gen-st-$name.json")
  ratio=$(python3 -c "print('%.1f×' % ($s / max($c, 1)))")
  echo "| $name | $ops | $scen ($files) | $(mean_ms "$out/gen-$name.json") / $c ms | $(mean_ms "$out/regen-$name.json") / $(cpu_ms "$out/regen-$name.json") ms | $mem MB | $(mean_ms "$out/gen-st-$name.json") / $s ms | $st_mem MB | $ratio |" >> "$out/generate.md"
  mv "$suite" "$trash/suite-$name"
done
rm -rf "$trash"
cat "$out/generate.md"
