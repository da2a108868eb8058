#!/usr/bin/env bash
# Serves bench/mock/pact.json with the Pact mock server, as one process for bench/mock.sh:
# starts the master server on MASTER_PORT, creates the mock server from the pact, writes the
# mock server's port (the OS picks it: `--base-port` is not honoured by 2.0.1) to PORT_FILE,
# and stays until terminated.
# Usage: pact-serve.sh BINARY MASTER_PORT PORT_FILE
set -euo pipefail
bin=$1 master=$2 port_file=$3
dir=$(mktemp -d)
"$bin" start --port "$master" --output "$dir" --loglevel none --no-term-log --no-file-log >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT TERM INT
for _ in $(seq 2000); do
  if "$bin" create --port "$master" --file "$(dirname "$0")/pact.json" --loglevel none --no-term-log --no-file-log >"$dir/create.txt" 2>&1; then
    break
  fi
  sleep 0.005
done
sed -n 's/.*started on port \([0-9]*\).*/\1/p' "$dir/create.txt" >"$port_file"
wait "$pid"
