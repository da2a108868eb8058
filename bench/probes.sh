#!/usr/bin/env bash
# Benchmark for the side-effect probes (issue 5), release build, loopback only.
#
#  1. Overhead per assertion, per probe kind: the snapshot before the request, one read
#     after it and the match, for an expectation that holds at once (log file, captured
#     stdout, SQL on SQLite and on PostgreSQL, a metrics delta, a Redis Streams message).
#  2. Detection latency: the time from a log write returning (a row commit, a publish)
#     to a `within` waiter seeing it, with the runner's schedule and with a fixed 100 ms
#     poll (Awaitility's default) as the reference; p50/p99 over TRIALS trials.
#
# PostgreSQL and Redis are started the way scripts/servers.sh does it (installed from
# Debian when missing), on PG_PORT / REDIS_PORT (defaults 55482 / 56429, away from the
# test ports) in a temporary folder, and stopped afterwards. Writes bench/out/probes.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
iterations=${ITERATIONS:-500}
trials=${TRIALS:-200}

export CROSSCHECK_PG_PORT=${PG_PORT:-55482}
export CROSSCHECK_REDIS_PORT=${REDIS_PORT:-56429}
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/crosscheck-probes-bench.XXXXXX")
chmod 755 "$TMPDIR"   # PostgreSQL runs as its own user and must reach its folder
export TMPDIR
unset CROSSCHECK_TEST_POSTGRES_URL CROSSCHECK_TEST_BROKER_URL
# shellcheck source=scripts/servers.sh
source scripts/servers.sh
crosscheck_servers_up
trap 'crosscheck_stop_servers; rm -rf "$TMPDIR"' EXIT

cargo build -q --release -p crosscheck-probe --example probe_bench
bin=target/release/examples/probe_bench
{
  "$bin" --postgres "$CROSSCHECK_TEST_POSTGRES_URL" --redis "$CROSSCHECK_TEST_BROKER_URL" \
    --iterations "$iterations" --trials "$trials"
  echo
  echo "$iterations iterations per probe, $trials detection trials per source and schedule;" \
    "$(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$out/probes.md"
cat "$out/probes.md"
