#!/usr/bin/env bash
# Benchmark for the mock server (issue 4), release build, loopback only.
#
# The same stub (GET /bench → a 40-byte JSON body) served by crosscheck's mock, WireMock,
# Prism, mountebank and a bare hyper server (the ceiling), all under wrk with identical
# settings, in alternating rounds; medians of the rounds. Then, for crosscheck alone:
# a 50 ms stub delay at 100 connections (the delay allows 2,000 req/s), cold start to the
# first answer (every peer), and memory (RSS) over a one-minute load.
#
# Peers: wrk from Debian; WireMock (npm `wiremock`, runs its jar on Java 17), Prism
# (`@stoplight/prism-cli`) and mountebank from npm, installed into bench/.peers when
# missing. The Pact mock server (`cargo install pact_mock_server_cli`, from crates.io) is
# installed into target/pact when missing (a release build of a few hundred crates: the
# first run takes a while); bench/mock/pact-serve.sh starts its master server and creates
# the mock server from bench/mock/pact.json.
#
# Settings (environment): DURATION (10s), CONNECTIONS (50), ROUNDS (3), LOAD_SECONDS (60),
# NO_BUILD=1 to use the release binaries already built, NO_PACT=1 to leave the Pact mock
# server out (no install, no row).
# Writes bench/out/mock.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
peers=bench/.peers
duration=${DURATION:-10s}
conns=${CONNECTIONS:-50}
rounds=${ROUNDS:-3}
load_seconds=${LOAD_SECONDS:-60}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ ! -x "$peers/node_modules/.bin/mb" ] || [ ! -x "$peers/node_modules/.bin/prism" ] || [ ! -d "$peers/node_modules/wiremock" ]; then
  mkdir -p "$peers"
  (cd "$peers" && { [ -f package.json ] || echo '{"name": "crosscheck-bench-peers", "private": true}' >package.json; } && npm install -s wiremock @stoplight/prism-cli mountebank >/dev/null)
fi
pact_root=$PWD/target/pact
pact_bin=""
for b in "$pact_root/bin/pact_mock_server_cli" "$pact_root/bin/pact-mock-server"; do [ -x "$b" ] && pact_bin=$b; done
if [ -z "$pact_bin" ] && [ -z "${NO_PACT:-}" ]; then
  cargo install -q pact_mock_server_cli --root "$pact_root"
  for b in "$pact_root/bin/pact_mock_server_cli" "$pact_root/bin/pact-mock-server"; do [ -x "$b" ] && pact_bin=$b; done
fi
if [ -z "${NO_BUILD:-}" ]; then
  cargo build -q --release -p crosscheck
  cargo build -q --release -p crosscheck-double --example bare_hyper
fi
cc=$PWD/target/release/crosscheck
bare=$PWD/target/release/examples/bare_hyper
jar=$(ls "$peers"/node_modules/wiremock/build/wiremock-standalone-*.jar | head -1)
wmroot=$(mktemp -d); mkdir -p "$wmroot/mappings"; cp bench/mock/stub.json "$wmroot/mappings/"
tmp=$(mktemp -d)

# name port command… (the command serves GET /bench on the port)
declare -A cmd
cmd[crosscheck]="$cc mock --port 18101 --mappings $wmroot"
cmd[bare-hyper]="$bare 18102"
cmd[wiremock]="java -jar $jar --port 18103 --root-dir $wmroot --disable-banner --async-response-enabled true"
cmd[mountebank]="$peers/node_modules/.bin/mb --port 18110 --configfile bench/mock/imposters.json --loglevel warn"
cmd[prism]="$peers/node_modules/.bin/prism mock -p 18105 -h 127.0.0.1 bench/mock/openapi.yaml"
cmd[pact]="bench/mock/pact-serve.sh $pact_bin 18106 $tmp/pact.port"
declare -A port=([crosscheck]=18101 [bare-hyper]=18102 [wiremock]=18103 [mountebank]=18104 [prism]=18105 [pact]=18106)
order=(crosscheck bare-hyper wiremock mountebank prism)
[ -z "${NO_PACT:-}" ] && order+=(pact)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$wmroot" "$tmp"; }
trap cleanup EXIT

# Cold start: spawn, poll GET /bench every millisecond, stop (each peer alone). The Pact
# mock server gets its port from the OS: spawn to the first answer on the port it reports.
declare -A cold
pact_port() { for _ in $(seq 3000); do [ -s "$tmp/pact.port" ] && { cat "$tmp/pact.port"; return; }; sleep 0.002; done; }
if [[ " ${order[*]} " == *" pact "* ]]; then
  rm -f "$tmp/pact.port"; t0=$(date +%s%N)
  # shellcheck disable=SC2086
  ${cmd[pact]} >/dev/null 2>&1 & cpid=$!
  p=$(pact_port)
  for _ in $(seq 20000); do curl -fs "http://127.0.0.1:$p/bench" >/dev/null && break; sleep 0.001; done
  cold[pact]=$(echo "($(date +%s%N) - $t0) / 1000000" | bc -l | xargs printf '%.1f')
  kill "$cpid"; wait "$cpid" 2>/dev/null || true; rm -f "$tmp/pact.port"
fi
for name in "${order[@]}"; do
  [ "$name" = pact ] && continue
  # shellcheck disable=SC2086
  cold[$name]=$(python3 bench/mock/probe.py cold "${port[$name]}" /bench ${cmd[$name]})
done

# Start every peer and wait until each answers.
for name in "${order[@]}"; do
  # shellcheck disable=SC2086
  ${cmd[$name]} >"$tmp/$name.log" 2>&1 &
  pids+=($!)
done
[[ " ${order[*]} " == *" pact "* ]] && port[pact]=$(pact_port)
for name in "${order[@]}"; do
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:${port[$name]}/bench" >/dev/null && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:${port[$name]}/bench" >/dev/null || { echo "error: $name did not start; see its log:" >&2; cat "$tmp/$name.log" >&2; exit 3; }
  wrk -t2 -c"$conns" -d2s "http://127.0.0.1:${port[$name]}/bench" >/dev/null  # warm-up (JIT, caches)
done

# Alternating rounds.
for r in $(seq "$rounds"); do
  for name in "${order[@]}"; do
    wrk -t2 -c"$conns" -d"$duration" --latency "http://127.0.0.1:${port[$name]}/bench" >"$tmp/wrk-$name-$r.txt"
    python3 bench/mock/probe.py wrk "$tmp/wrk-$name-$r.txt" >>"$tmp/$name.results"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v c="$2" '{print $c}' "$tmp/$1.results" | median; }

# The 50 ms delay at 100 connections (crosscheck and WireMock).
wrk -t2 -c100 -d"$duration" --latency "http://127.0.0.1:18101/slow" >"$tmp/slow-cc.txt"
slow_cc=$(python3 bench/mock/probe.py wrk "$tmp/slow-cc.txt")
wrk -t2 -c100 -d"$duration" --latency "http://127.0.0.1:18103/slow" >"$tmp/slow-wm.txt"
slow_wm=$(python3 bench/mock/probe.py wrk "$tmp/slow-wm.txt")

# Memory over a one-minute load on crosscheck's mock: RSS before, during and after.
ccpid=${pids[0]}
rss() { awk '/VmRSS/ {print $2}' "/proc/$ccpid/status"; }
rss_before=$(rss)
wrk -t2 -c"$conns" -d"${load_seconds}s" "http://127.0.0.1:18101/bench" >"$tmp/load.txt" &
wrkpid=$!
samples=()
for _ in $(seq "$load_seconds"); do sleep 1; samples+=("$(rss)"); done
wait "$wrkpid"
rss_after=$(rss)
load_requests=$(awk '/requests in/ {print $1}' "$tmp/load.txt")
journal=$(curl -fs -X POST "http://127.0.0.1:18101/__admin/requests/count" -d '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')

bare_rps=$(col bare-hyper 1)
wm_rps=$(col wiremock 1)
{
  echo "# Mock server benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, wrk -t2 -c$conns -d$duration, $rounds alternating rounds (medians)."
  echo
  echo "| server | req/s | × bare hyper | × WireMock | p50 ms | p99 ms | cold start ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for name in "${order[@]}"; do
    rps=$(col "$name" 1)
    printf '| %s | %.0f | %.2f | %.1f | %s | %s | %s |\n' "$name" "$rps" \
      "$(echo "$rps / $bare_rps" | bc -l)" "$(echo "$rps / $wm_rps" | bc -l)" \
      "$(col "$name" 2)" "$(col "$name" 3)" "${cold[$name]}"
  done
  echo
  read -r s_rps s_p50 s_p99 _ _ <<<"$slow_cc"
  read -r w_rps w_p50 w_p99 _ _ <<<"$slow_wm"
  echo "50 ms stub delay, 100 connections (ceiling 2,000 req/s):"
  printf -- '- crosscheck: %.0f req/s (%.1f%% of the ceiling), p50 %s ms, p99 %s ms\n' "$s_rps" "$(echo "$s_rps / 20" | bc -l)" "$s_p50" "$s_p99"
  printf -- '- WireMock (async responses on): %.0f req/s (%.1f%%), p50 %s ms, p99 %s ms\n' "$w_rps" "$(echo "$w_rps / 20" | bc -l)" "$w_p50" "$w_p99"
  echo
  echo "Memory of crosscheck's mock over ${load_seconds}s of load ($load_requests requests; journal bounded at 10,000, holding $journal):"
  echo "RSS before ${rss_before} KiB, min $(printf '%s\n' "${samples[@]}" | sort -n | head -1) KiB, max $(printf '%s\n' "${samples[@]}" | sort -n | tail -1) KiB, after ${rss_after} KiB."
  echo "Per-second samples (KiB): ${samples[*]}"
} | tee "$out/mock.md"
