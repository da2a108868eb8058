#!/usr/bin/env bash
# Benchmark for the OpenAPI importer (issue 3, item 1), release build.
#
# Times loading a contract — read, parse, gather other files, Swagger 2.0 rewrite,
# translate every schema to JSON Schema 2020-12 — and, separately, loading plus compiling
# a validator for every response schema, for:
#   GitHub        (OpenAPI 3.0.3, 874 operations, 4 MB JSON)
#   Kubernetes    (Swagger 2.0, 1,123 operations, 4 MB JSON)
#   DigitalOcean  (OpenAPI 3.0.0, 659 operations over ~2,900 YAML files)
# against Schemathesis (from PyPI, in a venv under bench/out) loading the same specs and
# iterating their operations. Generation is not timed here (it belongs to crosscheck-gen).
#
# Each command is one process (start-up included), timed with hyperfine; peak memory
# (maximum resident set) from GNU time. Needs hyperfine, GNU time and python3-venv
# (installed from Debian's packages when missing) and the corpus at ../shared/corpus.
# Writes bench/out/openapi-load.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_corpus
bench_need_peers
bench_schemathesis

cargo build -q --release -p crosscheck-contract --example load_contract
load=$PWD/target/release/examples/load_contract
runs=${RUNS:-10}

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

peak_mb() { # command… → peak resident set in MB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }'
}
mean_ms() { # hyperfine JSON → mean wall-clock time in ms
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f" % (r["mean"]*1000))' "$1"
}
cpu_ms() { # hyperfine JSON → mean CPU time (user + system) in ms: steadier on a busy machine
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f" % ((r["user"]+r["system"])*1000))' "$1"
}

{
  echo "# OpenAPI load: crosscheck vs Schemathesis $st_version"
  echo
  echo "Release build; one process per load, start-up included; mean of $runs runs (hyperfine), as"
  echo "wall-clock / CPU (user + system) time; peak RSS from GNU time. Load average at the start: $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores."
  echo
  echo "| spec | operations | crosscheck load | + compile all response validators | peak RSS | Schemathesis load | peak RSS | ratio (load, CPU) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$out/openapi-load.md"

for spec in github/api.github.com.2022-07-18.octokit.json kubernetes/swagger-v1.36.json \
            digitalocean/specification/DigitalOcean-public.v2.yaml; do
  file=$corpus/$spec
  name=${spec%%/*}
  ops=$("$load" "$file" | sed -n 's/.* operations=\([0-9]*\).*/\1/p')
  st_ops=$("$venv/bin/python" "$out/st_load.py" "$file" 2>/dev/null | sed -n 's/.*operations=\([0-9]*\).*/\1/p' || true)
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/load-$name.json" "$load $file" >/dev/null
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/compile-$name.json" "$load --compile $file" >/dev/null
  hyperfine -N --warmup 1 --runs "$(( runs < 5 ? runs : 5 ))" --export-json "$out/st-$name.json" \
    "$venv/bin/python $out/st_load.py $file" >/dev/null
  cc=$(mean_ms "$out/load-$name.json"); cm=$(mean_ms "$out/compile-$name.json")
  st=$(mean_ms "$out/st-$name.json")
  cc_cpu=$(cpu_ms "$out/load-$name.json"); cm_cpu=$(cpu_ms "$out/compile-$name.json")
  st_cpu=$(cpu_ms "$out/st-$name.json")
  cc_mem=$(peak_mb "$load" --compile "$file"); st_mem=$(peak_mb "$venv/bin/python" "$out/st_load.py" "$file")
  ratio=$(python3 -c "print('%.1f×' % ($st_cpu / max($cc_cpu, 1)))")
  echo "| $name | $ops (Schemathesis: ${st_ops:-?}) | $cc / $cc_cpu ms | $cm / $cm_cpu ms | $cc_mem MB | $st / $st_cpu ms | $st_mem MB | $ratio |" >> "$out/openapi-load.md"
done

hyperfine -N --runs 3 --export-json "$out/st-import.json" "$venv/bin/python -c 'import schemathesis'" >/dev/null
base="$(mean_ms "$out/st-import.json") / $(cpu_ms "$out/st-import.json")"
echo >> "$out/openapi-load.md"
echo "Python start-up plus \`import schemathesis\` alone: $base ms (included in the Schemathesis column)." >> "$out/openapi-load.md"
cat "$out/openapi-load.md"
