#!/usr/bin/env bash
# Benchmark for the walking skeleton (issue 2), release build, loopback only.
#
#  1. The bundled example suite end to end, service start included.
#  2. The runner's overhead per scenario, against curl sending the same requests:
#     suites of 1 and 201 scenarios (GET /healthz, status and JSON checks) versus one curl
#     process sending 1 and 201 requests over a kept-alive connection. The slope of each
#     pair is the cost of one more scenario (or request); their difference is what the
#     runner adds per scenario.
#
# Needs hyperfine and curl (installed from Debian's packages when missing).
# Writes bench/out/walking-skeleton.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"

for tool in hyperfine curl; do
  command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
done

cargo build -q --release -p crosscheck -p resource-api
cc=$PWD/target/release/crosscheck
api=$PWD/target/release/resource-api
runs=${RUNS:-10}

# 1. The example suite end to end (build skipped: it is a no-op once built).
hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/example.json" \
  "$cc run examples/auth-resource --no-build --color never" >/dev/null

# 2. Overhead per scenario.
work=$(mktemp -d); trap 'rm -rf "$work"; [ -n "${sut:-}" ] && kill "$sut" 2>/dev/null || true' EXIT
make_suite() { # dir, scenarios
  mkdir -p "$1/scenarios"
  cat > "$1/crosscheck.yaml" <<YAML
sut:
  name: resource-api
  start: ["$api"]
  ready: { get: /healthz }
  env: { PORT: "\${port}", AUTH_URL: "\${deps.auth.url}", AUDIT_LOG: "\${dir}/audit.jsonl" }
dependencies:
  auth: { double: mock }
YAML
  echo "- **REQ-B-1**: The service answers its health check." > "$1/requirements.md"
  for i in $(seq 1 "$2"); do
    printf -- '---\nid: health-%04d\ncovers: [REQ-B-1]\nkind: positive\nwhen: { path: /healthz }\nthen: { status: 200, json: { $.status: ok } }\n' "$i"
  done > "$1/scenarios/health.yaml"
}
make_suite "$work/one" 1
make_suite "$work/many" 201
hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/overhead-crosscheck.json" \
  "$cc run $work/one --color never" "$cc run $work/many --color never" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port AUTH_URL=http://127.0.0.1:9 AUDIT_LOG=$work/audit.jsonl "$api" 2>/dev/null & sut=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
url="http://127.0.0.1:$port/healthz"
one="curl -s -o /dev/null $url"
many="curl -s $(for _ in $(seq 1 201); do printf -- '-o /dev/null %s ' "$url"; done)"
hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/overhead-curl.json" "$one" "$many" >/dev/null

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def medians(name):
    return [r["median"] for r in json.load(open(f"{out}/{name}.json"))["results"]]
ex = medians("example")[0]
c1, c201 = medians("overhead-crosscheck")
u1, u201 = medians("overhead-curl")
per_cc = (c201 - c1) / 200
per_curl = (u201 - u1) / 200
lines = [
    "| measure | value | target |",
    "|---|---|---|",
    f"| example suite end to end (19 scenarios, service start included), median | {ex:.3f} s | < 3 s |",
    f"| crosscheck, 1 scenario (start, ready, run, stop), median | {c1*1000:.1f} ms | |",
    f"| crosscheck, one more scenario (slope, 1→201) | {per_cc*1000:.3f} ms | |",
    f"| curl, one more request on a kept-alive connection (slope, 1→201) | {per_curl*1000:.3f} ms | |",
    f"| runner overhead per scenario (crosscheck slope − curl slope) | {(per_cc-per_curl)*1000:.3f} ms | < 2 ms |",
    f"| ratio crosscheck / curl per request | {per_cc/per_curl:.1f}× | |",
]
text = "\n".join(lines) + "\n"
open(f"{out}/walking-skeleton.md", "w").write(text)
print(text)
PY
