#!/usr/bin/env bash
# Benchmark for reports (issue 6), release build.
#
# A synthetic results file of 10,000 scenarios (bench/synth-results.py: evidence shaped
# like the example's, 5% failing) rendered by `crosscheck report`:
#   - to the HTML report (target: < 2 s, < 10 MB),
#   - to JUnit XML (target: < 1 s),
# each time including reading and parsing the 14 MB results file. Side by side, the
# same JUnit XML rendered to HTML by junit2html (PyPI), a common way CI turns JUnit into
# a page.
#
# Needs hyperfine (Debian) and junit2html (PyPI, into bench/out/venv); installs them
# when missing. Writes bench/out/report.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
n=${SCENARIOS:-10000}
runs=${RUNS:-10}

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
if [ ! -x "$out/venv/bin/junit2html" ]; then
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q junit2html
fi

cargo build -q --release -p crosscheck
cc=$PWD/target/release/crosscheck
python3 bench/synth-results.py "$n" > "$out/synth.json"
"$cc" report "$out/synth.json" --junit "$out/synth.xml" --html "$out/synth.html" >/dev/null || true

hyperfine -N --warmup 1 --runs "$runs" --ignore-failure --export-json "$out/report.json" \
  -n html "$cc report $out/synth.json --html $out/synth.html" \
  -n junit "$cc report $out/synth.json --junit $out/synth.xml" \
  -n junit2html "$out/venv/bin/junit2html $out/synth.xml $out/synth-junit2html.html" >/dev/null

python3 - "$out" "$n" <<'PY'
import json, os, sys
out, n = sys.argv[1], sys.argv[2]
r = {x["command"]: x for x in json.load(open(f"{out}/report.json"))["results"]}
med = lambda k: sorted(r[k]["times"])[len(r[k]["times"]) // 2]
size = lambda f: os.path.getsize(f"{out}/{f}") / 1e6
rows = [
    ("results file (input)", f"{size('synth.json'):.1f} MB", ""),
    ("`crosscheck report --html`, median", f"{med('html'):.3f} s", "< 2 s"),
    ("HTML report size", f"{size('synth.html'):.1f} MB", "< 10 MB"),
    ("`crosscheck report --junit`, median", f"{med('junit'):.3f} s", "< 1 s"),
    ("JUnit XML size", f"{size('synth.xml'):.1f} MB", ""),
    ("junit2html on the same JUnit XML, median", f"{med('junit2html'):.3f} s", ""),
    ("junit2html page size", f"{size('synth-junit2html.html'):.1f} MB", ""),
    ("ratio junit2html / crosscheck HTML (time)", f"{med('junit2html') / med('html'):.1f}×", ""),
]
text = f"{n} synthetic scenarios, {len(r['html']['times'])} runs each\n\n| measure | value | target |\n|---|---|---|\n"
text += "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)
open(f"{out}/report.md", "w").write(text)
print(text)
PY
