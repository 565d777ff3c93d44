#!/usr/bin/env bash
# postbox against the tutorial-style Express + createPresignedPost peer
# (bench/express-peer/), the way issue #14 measures it: each server pinned to core 1,
# wrk pinned to core 0 (-t1 -c32), rounds interleaved (peer, postbox, peer, postbox…)
# and medians compared, because the machine is shared and noisy. One line per route:
# both req/s, the ratio, both p99s and both servers' CPU µs per request (from
# /proc/PID/stat). Installs wrk and the peer's npm packages (into $PEERS_DIR/node,
# default /tmp/peers/node) when missing. Usage:
#   scripts/bench-vs-express.sh [seconds per round, default 8] [rounds, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-8}"
rounds="${2:-3}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
cargo build --release --quiet

work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 200); do curl -fs -o /dev/null "$1" && return; sleep 0.1; done; echo "error: $1 never answered" >&2; exit 1; }

# The peer (its first start installs its packages).
peer_port=$(free_port)
PORT=$peer_port HOST=127.0.0.1 taskset -c 1 node bench/express-peer/express_server.mjs >"$work/peer.log" 2>&1 &
peer=$!; pids+=("$peer")

# postbox: embedded bucket and SQLite, an account, its session and an API token.
pb_port=$(free_port)
export POSTBOX_DATA_DIR="$work/data" POSTBOX_LISTEN="127.0.0.1:$pb_port" RUST_LOG=warn
printf 'bench password 1' | target/release/postbox user add bench --password-stdin >/dev/null
bearer=$(target/release/postbox token create bench --label bench)
taskset -c 1 target/release/postbox serve >"$work/postbox.log" 2>&1 &
postbox=$!; pids+=("$postbox")
wait_up "http://127.0.0.1:$pb_port/healthz"
wait_up "http://127.0.0.1:$peer_port/presign?filename=a.txt"

jar="$work/jar"
csrf() { sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -n1; }
token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$pb_port/login" | csrf)
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode username=bench \
  --data-urlencode "password=bench password 1" --data-urlencode "csrf_token=$token" \
  "http://127.0.0.1:$pb_port/login"
token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$pb_port/upload" | csrf)
cookie=$(awk '$6 == "postbox_session" {print $6 "=" $7}' "$jar")

cat >"$work/cookie.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$token"
wrk.body = '{"filename":"report.pdf","size":123456,"content_type":"application/pdf"}'
LUA
cat >"$work/bearer.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $bearer"
wrk.body = '{"filename":"report.pdf","size":123456,"content_type":"application/pdf"}'
LUA

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# One round: prints "req/s p99_ms cpu_us_per_request".
round() {
  local pid=$1; shift
  local before after out requests rps p99
  before=$(ticks "$pid")
  out=$(taskset -c 0 wrk -t1 -c32 -d"${seconds}s" --latency "$@")
  after=$(ticks "$pid")
  if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; echo "error: non-2xx answers" >&2; exit 1; fi
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$out")
  awk -v r="$rps" -v p="$p99" -v t=$((after - before)) -v n="$requests" -v hz="$hz" \
    'BEGIN { printf "%s %s %.1f\n", r, p, (t / hz) * 1e6 / n }'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() {
  local name=$1 peer_url=$2; shift 2
  : >"$work/p"; : >"$work/q"
  for _ in $(seq 1 "$rounds"); do
    round "$peer" "$peer_url" >>"$work/p"
    round "$postbox" "$@" >>"$work/q"
  done
  local prps pp99 pcpu qrps qp99 qcpu
  prps=$(cut -d' ' -f1 "$work/p" | median); pp99=$(cut -d' ' -f2 "$work/p" | median); pcpu=$(cut -d' ' -f3 "$work/p" | median)
  qrps=$(cut -d' ' -f1 "$work/q" | median); qp99=$(cut -d' ' -f2 "$work/q" | median); qcpu=$(cut -d' ' -f3 "$work/q" | median)
  awk -v n="$name" -v a="$qrps" -v b="$prps" -v ap="$qp99" -v bp="$pp99" -v ac="$qcpu" -v bc="$pcpu" \
    'BEGIN { printf "%-30s postbox %9.0f req/s  peer %7.0f req/s  ratio %5.2f  p99 %6.2f / %6.2f ms  CPU %6.1f / %6.1f µs/req\n", n, a, b, a / b, ap, bp, ac, bc }'
}

echo "postbox vs Express peer: ${rounds} interleaved rounds of ${seconds}s, servers on core 1, wrk -t1 -c32 on core 0 (medians)"
compare "GET /upload vs GET /form" "http://127.0.0.1:$peer_port/form" \
  -H "Cookie: $cookie" "http://127.0.0.1:$pb_port/upload"
compare "POST /api/presign (session)" "http://127.0.0.1:$peer_port/presign?filename=report.pdf" \
  -s "$work/cookie.lua" "http://127.0.0.1:$pb_port/api/presign"
compare "POST /api/presign (Bearer)" "http://127.0.0.1:$peer_port/presign?filename=report.pdf" \
  -s "$work/bearer.lua" "http://127.0.0.1:$pb_port/api/presign"
awk '/VmRSS/ {printf "postbox RSS after the run: %s %s\n", $2, $3}' "/proc/$postbox/status"
