#!/usr/bin/env bash
# Benchmark for the TCP fault proxy (issue 4), release build, loopback only.
#
#  1. Added latency: wrk (1 thread, 10 connections, keep-alive) against the release Resource
#     API's GET /healthz, directly and through each proxy with no toxics; p50, p99, req/s.
#  2. Throughput: iperf3 (one stream, 5 s), directly and through each proxy; MB/s.
#
# Peers: Toxiproxy itself when present (see below), else the table compares against
# Toxiproxy's published figures. Rounds alternate direct / crosscheck /
# toxiproxy and report medians. Writes bench/out/proxy.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
rounds=${ROUNDS:-5}
secs=${SECS:-5}

need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need iperf3 iperf3
need curl curl

# CROSSCHECK_BASELINE=/path/to/an/older/crosscheck adds it as a row of its own, to see what a
# change to the proxy did under the same conditions.
baseline=${CROSSCHECK_BASELINE:-}

# Toxiproxy: Debian has no package and this machine reaches no Go module proxy, so it is used
# when present (TOXIPROXY=/path/to/toxiproxy-server, or on PATH), else the table is compared
# with Toxiproxy's published figures.
toxi=${TOXIPROXY:-$(command -v toxiproxy-server || true)}

cargo build -q --release -p crosscheck -p resource-api
cc=$PWD/target/release/crosscheck
api=$PWD/target/release/resource-api

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 3; }

http_port=$(free_port); iperf_port=$(free_port)
PORT=$http_port AUTH_URL=http://127.0.0.1:9 AUDIT_LOG=/dev/null "$api" >/dev/null 2>&1 & pids+=($!)
iperf3 -s -p "$iperf_port" >/dev/null 2>&1 & pids+=($!)
wait_port "$http_port"; wait_port "$iperf_port"

# Start a proxy API and create two proxies through it: http and iperf.
start_proxies() { # name, command…; prints "<http-port> <iperf-port>"
  local name=$1; shift
  local api_port; api_port=$(free_port)
  "$@" "$api_port" >/dev/null 2>&1 & pids+=($!)
  wait_port "$api_port"
  local hp ip; hp=$(free_port); ip=$(free_port)
  curl -fsS -XPOST "127.0.0.1:$api_port/proxies" -d "{\"name\":\"http\",\"listen\":\"127.0.0.1:$hp\",\"upstream\":\"127.0.0.1:$http_port\"}" >/dev/null
  curl -fsS -XPOST "127.0.0.1:$api_port/proxies" -d "{\"name\":\"iperf\",\"listen\":\"127.0.0.1:$ip\",\"upstream\":\"127.0.0.1:$iperf_port\"}" >/dev/null
  echo "$hp $ip"
}
read -r cc_http cc_iperf < <(start_proxies crosscheck "$cc" proxy --port)
targets=("direct:$http_port:$iperf_port" "crosscheck:$cc_http:$cc_iperf")
if [ -n "$baseline" ]; then
  read -r bl_http bl_iperf < <(start_proxies baseline "$baseline" proxy --port)
  targets+=("baseline:$bl_http:$bl_iperf")
fi
if [ -n "$toxi" ]; then
  read -r tx_http tx_iperf < <(start_proxies toxiproxy "$toxi" -host 127.0.0.1 -port)
  targets+=("toxiproxy:$tx_http:$tx_iperf")
fi

# wrk's latency lines carry units (us, ms, s): print microseconds.
to_us() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else {sub(/s/,"",v); print v*1000000}}'; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m}'; }

raw=$out/proxy-raw.tsv; : > "$raw"
for r in $(seq 1 "$rounds"); do
  for t in "${targets[@]}"; do
    IFS=: read -r name hp ip <<<"$t"
    w=$(wrk -t1 -c10 -d"${secs}s" --latency "http://127.0.0.1:$hp/healthz")
    p50=$(grep -E '^ +50%' <<<"$w" | awk '{print $2}' | to_us)
    p99=$(grep -E '^ +99%' <<<"$w" | awk '{print $2}' | to_us)
    rps=$(grep 'Requests/sec' <<<"$w" | awk '{print $2}')
    mbs=$(iperf3 -c 127.0.0.1 -p "$ip" -t "$secs" -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6)')
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$p50" "$p99" "$rps" "$mbs" >> "$raw"
  done
done

col() { awk -F'\t' -v n="$1" -v c="$2" '$1==n {print $c}' "$raw" | median; }
{
  echo "| path | p50 latency | p99 latency | req/s (wrk, 10 conns) | throughput (iperf3, 1 stream) |"
  echo "|---|---|---|---|---|"
  for t in "${targets[@]}"; do
    n=${t%%:*}
    printf '| %s | %.0f µs | %.0f µs | %.0f | %.0f MB/s |\n' "$n" "$(col "$n" 2)" "$(col "$n" 3)" "$(col "$n" 4)" "$(col "$n" 5)"
  done
  d50=$(col direct 2); d99=$(col direct 3); drps=$(col direct 4); dmb=$(col direct 5)
  echo
  echo "| proxy | added p50 | added p99 | req/s vs direct | MB/s vs direct |"
  echo "|---|---|---|---|---|"
  for t in "${targets[@]:1}"; do
    n=${t%%:*}
    printf '| %s | %+.0f µs | %+.0f µs | %.2f× | %.2f× |\n' "$n" \
      "$(awk -v a="$(col "$n" 2)" -v b="$d50" 'BEGIN{print a-b}')" \
      "$(awk -v a="$(col "$n" 3)" -v b="$d99" 'BEGIN{print a-b}')" \
      "$(awk -v a="$(col "$n" 4)" -v b="$drps" 'BEGIN{print a/b}')" \
      "$(awk -v a="$(col "$n" 5)" -v b="$dmb" 'BEGIN{print a/b}')"
  done
  [ -z "$toxi" ] && echo && echo "Toxiproxy could not be installed here; compare with its published figures (< 100 µs added, ~1,000–2,400 MB/s)."
  echo
  echo "$rounds alternating rounds of ${secs} s per path; medians. $(date -u +%Y-%m-%d), $(nproc) cores."
} > "$out/proxy.md"
cat "$out/proxy.md"
