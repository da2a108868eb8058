#!/usr/bin/env bash
# Serves bench/mock/pact.json with the Pact mock server on PORT, as one process for
# bench/mock.sh: starts the master server (PORT+1000) with PORT as the base port for mock
# servers, creates the mock server from the pact, and stays until terminated.
# Usage: pact-serve.sh BINARY PORT
set -euo pipefail
bin=$1 port=$2 master=$(($2 + 1000))
dir=$(mktemp -d)
"$bin" start --port "$master" --base-port "$port" --output "$dir" --loglevel none --no-term-log --no-file-log >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT TERM INT
for _ in $(seq 2000); do
  if "$bin" create --port "$master" --file "$(dirname "$0")/pact.json" --loglevel none --no-term-log --no-file-log >"$dir/create.txt" 2>&1; then
    break
  fi
  sleep 0.005
done
wait "$pid"
