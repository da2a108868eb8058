# Shared by the bench scripts: `source bench/lib.sh` from the repository root.
#
# bench_need_peers      hyperfine, GNU time and python3-venv, from Debian when missing
# bench_schemathesis    a venv under bench/out with Schemathesis from PyPI; sets $venv
#                       and $st_version
# bench_corpus          the large OpenAPI specs; sets $corpus or exits
# bench_example_suite D a copy of examples/auth-resource's contracts, requirements and
#                       system map in D with no scenarios (its start command still runs
#                       from the example's folder)

out=bench/out
mkdir -p "$out"
example="$PWD/examples/auth-resource"

bench_need_peers() {
  command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
  [ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
  python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
}

bench_schemathesis() {
  venv=$out/venv-schemathesis
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import schemathesis' 2>/dev/null || "$venv/bin/pip" install -q schemathesis
  st_version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))')
}

bench_corpus() {
  corpus="${CROSSCHECK_CORPUS:-$(cd .. && pwd)/shared/corpus}/openapi-large"
  [ -d "$corpus" ] || { echo "error: the corpus is missing at $corpus (set CROSSCHECK_CORPUS)" >&2; exit 1; }
}

bench_example_suite() {
  mkdir -p "$1/scenarios"
  cp -r "$example/contracts" "$example/requirements.md" "$1/"
  sed -e "s|^sut:|sut:\n  cwd: $example|" "$example/crosscheck.yaml" > "$1/crosscheck.yaml"
}
