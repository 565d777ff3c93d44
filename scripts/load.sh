#!/usr/bin/env bash
# Load test: wrk against GET /upload and POST /api/presign of a release build using the
# embedded local bucket, all on 127.0.0.1. Prints req/s, p99 latency and the server's RSS.
# Usage: scripts/load.sh [seconds per run, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-64}"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
cargo build --release --quiet

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
POSTBOX_LISTEN="127.0.0.1:$port" POSTBOX_DATA_DIR="$work/data" RUST_LOG=warn \
  target/release/postbox serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

cat >"$work/presign.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"filename":"report.pdf","size":123456,"content_type":"application/pdf"}'
LUA

run() {
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$@")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "$out"; echo "error: $name had non-2xx answers" >&2; exit 1; fi
  printf '%-22s %10s req/s   p99 %8s\n' "$name" "$rps" "$p99"
}

echo "postbox load test: ${duration}s per route, $connections connections, wrk -t2, loopback"
run "GET /upload" "http://127.0.0.1:$port/upload"
run "POST /api/presign" -s "$work/presign.lua" "http://127.0.0.1:$port/api/presign"
awk '/VmRSS|VmHWM/ {printf "%-22s %10s %s\n", $1, $2, $3}' "/proc/$server/status"
