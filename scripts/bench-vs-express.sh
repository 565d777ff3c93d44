#!/usr/bin/env bash
# postbox against the tutorial-style Express + createPresignedPost peer
# (bench/express-peer/) and against the actix floor (bench/actix-floor/: the least one
# would write from the design card, the ceiling for postbox's own request path): each
# server pinned to core 1, wrk pinned to core 0 (-t1 -c32), rounds interleaved (peer,
# floor, postbox, peer, floor, postbox…) and medians compared, because the machine is
# shared and noisy. One line per route: postbox's req/s, its ratio to the peer and to
# the floor, the p99s and the servers' CPU µs per request (from /proc/PID/stat: the
# server process only, so PostgreSQL's own work is not in it). Routes: GET /upload (session), POST /api/presign (session + CSRF, and
# Bearer), and POST /api/presign for an account with a quota (each form writes a
# reservation) on SQLite and on PostgreSQL (127.0.0.1:5432, a database made for the run
# and dropped after; PostgreSQL's own processes are not pinned: they share the machine).
# Installs wrk, Node.js and the peer's npm packages when missing. Usage:
#   scripts/bench-vs-express.sh [seconds per round, default 8] [rounds, default 3]
# POSTBOX_BIN=path measures another build (say, an older commit's) instead of building;
# BENCH_POSTGRES=0 skips the PostgreSQL line.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-8}"
rounds="${2:-3}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
cargo build --release --quiet --manifest-path bench/actix-floor/Cargo.toml \
  --target-dir target/actix-floor
if [ -z "${POSTBOX_BIN:-}" ]; then
  cargo build --release --quiet
  bin=target/release/postbox
else
  bin=$POSTBOX_BIN
fi

work=$(mktemp -d)
pids=()
pg_db="postbox_bench_$$"
pg_url="postgres://postgres@127.0.0.1:5432/$pg_db"
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${BENCH_POSTGRES:-1}" != 0 ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_up URL [LOG]: waits for URL to answer; on failure shows LOG.
wait_up() {
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return; sleep 0.1; done
  echo "error: $1 never answered" >&2
  if [ -n "${2:-}" ]; then cat "$2" >&2; fi
  exit 1
}

# The peer (its first start installs its packages).
peer_port=$(free_port)
PORT=$peer_port HOST=127.0.0.1 taskset -c 1 node bench/express-peer/express_server.mjs >"$work/peer.log" 2>&1 &
peer=$!; pids+=("$peer")
wait_up "http://127.0.0.1:$peer_port/presign?filename=a.txt" "$work/peer.log"
floor_port=$(free_port)
PORT=$floor_port taskset -c 1 target/actix-floor/release/actix-floor >"$work/floor.log" 2>&1 &
floor_pid=$!; pids+=("$floor_pid")
wait_up "http://127.0.0.1:$floor_port/form" "$work/floor.log"

body='{"filename":"report.pdf","size":123456,"content_type":"application/pdf"}'
# A postbox on core 1 over database $2 (empty for the embedded SQLite file), named $1:
# an account `bench` (no quota) with a session and a token, and `benchq` (a quota
# large enough for every round) with a token. Sets port_$1 and pid_$1 and writes
# $work/$1.{cookie,csrf,bearer,quota}.
start_postbox() {
  local name=$1 database=$2 port pid jar token
  port=$(free_port)
  (
    export POSTBOX_DATA_DIR="$work/$name" POSTBOX_LISTEN="127.0.0.1:$port" RUST_LOG=warn
    export POSTBOX_SESSION_SECRET="a benchmark session secret, long enough for cookies"
    if [ -n "$database" ]; then export POSTBOX_DATABASE_URL="$database"; fi
    printf 'bench password 1' | "$bin" user add bench --password-stdin >/dev/null
    printf 'bench password 1' | "$bin" user add benchq --quota 100TB --password-stdin >/dev/null
    "$bin" token create bench --label bench >"$work/$name.bearer"
    "$bin" token create benchq --label bench >"$work/$name.quota"
    exec taskset -c 1 "$bin" serve
  ) >"$work/$name.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_up "http://127.0.0.1:$port/healthz" "$work/$name.log"
  jar="$work/$name.jar"
  csrf() { sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -n1; }
  token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | csrf)
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode username=bench \
    --data-urlencode "password=bench password 1" --data-urlencode "csrf_token=$token" \
    "http://127.0.0.1:$port/login"
  curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/upload" | csrf >"$work/$name.csrf"
  awk '$6 == "postbox_session" {print $6 "=" $7}' "$jar" >"$work/$name.cookie"
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
}
# A wrk script posting the presign body with headers "$2…" to $1.lua.
post_script() {
  local file=$1; shift
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    for header in "$@"; do
      echo "wrk.headers[\"${header%%: *}\"] = \"${header#*: }\""
    done
    echo "wrk.body = '$body'"
  } >"$work/$file.lua"
}

start_postbox sqlite ""
post_script cookie "Cookie: $(cat "$work/sqlite.cookie")" "X-CSRF-Token: $(cat "$work/sqlite.csrf")"
post_script bearer "Authorization: Bearer $(cat "$work/sqlite.bearer")"
post_script quota "Authorization: Bearer $(cat "$work/sqlite.quota")"
if [ "${BENCH_POSTGRES:-1}" != 0 ]; then
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $pg_db" >/dev/null
  start_postbox pg "$pg_url"
  post_script pgquota "Authorization: Bearer $(cat "$work/pg.quota")"
fi

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

# compare NAME POSTBOX_PID PEER_URL FLOOR_ARGS -- WRK_ARGS…: FLOOR_ARGS are wrk's
# arguments for the floor's twin of the route (empty: no floor line for it).
compare() {
  local name=$1 server=$2 peer_url=$3; shift 3
  local floor_args=()
  while [ "$1" != "--" ]; do floor_args+=("$1"); shift; done
  shift
  : >"$work/p"; : >"$work/f"; : >"$work/q"
  for _ in $(seq 1 "$rounds"); do
    round "$peer" "$peer_url" >>"$work/p"
    if [ ${#floor_args[@]} -gt 0 ]; then round "$floor_pid" "${floor_args[@]}" >>"$work/f"; fi
    round "$server" "$@" >>"$work/q"
  done
  local col
  col() { cut -d' ' -f"$2" "$work/$1" | median; }
  local qrps prps frps=""
  qrps=$(col q 1); prps=$(col p 1)
  [ -s "$work/f" ] && frps=$(col f 1)
  awk -v n="$name" -v a="$qrps" -v b="$prps" -v f="$frps" -v ap="$(col q 2)" -v bp="$(col p 2)" \
    -v ac="$(col q 3)" -v bc="$(col p 3)" -v fc="$( [ -s "$work/f" ] && col f 3)" \
    'BEGIN {
       printf "%-34s postbox %7.0f req/s  peer %5.0f (%5.2fx)", n, a, b, a / b
       if (f != "") printf "  floor %6.0f (%4.2fx)", f, a / f; else printf "  %21s", ""
       printf "  p99 %5.2f / %5.2f ms  CPU %5.1f / %5.1f", ap, bp, ac, bc
       if (fc != "") printf " / %5.1f", fc
       printf " µs/req\n"
     }'
}

peer_form="http://127.0.0.1:$peer_port/form"
peer_presign="http://127.0.0.1:$peer_port/presign?filename=report.pdf"
sqlite="http://127.0.0.1:$port_sqlite"
floor="http://127.0.0.1:$floor_port"
post_script floor
echo "postbox ($bin) vs the Express peer and the actix floor: ${rounds} interleaved rounds of ${seconds}s,"
echo "servers on core 1, wrk -t1 -c32 on core 0 (medians; p99 and CPU: postbox / peer [/ floor])"
compare "GET /upload (session)" "$pid_sqlite" "$peer_form" "$floor/form" -- \
  -H "Cookie: $(cat "$work/sqlite.cookie")" "$sqlite/upload"
compare "POST /api/presign (session)" "$pid_sqlite" "$peer_presign" -s "$work/floor.lua" "$floor/presign" -- \
  -s "$work/cookie.lua" "$sqlite/api/presign"
compare "POST /api/presign (Bearer)" "$pid_sqlite" "$peer_presign" -s "$work/floor.lua" "$floor/presign" -- \
  -s "$work/bearer.lua" "$sqlite/api/presign"
compare "POST /api/presign quota, SQLite" "$pid_sqlite" "$peer_presign" -- \
  -s "$work/quota.lua" "$sqlite/api/presign"
if [ "${BENCH_POSTGRES:-1}" != 0 ]; then
  compare "POST /api/presign quota, PostgreSQL" "$pid_pg" "$peer_presign" -- \
    -s "$work/pgquota.lua" "http://127.0.0.1:$port_pg/api/presign"
fi
awk '/VmRSS/ {printf "postbox RSS after the run (SQLite instance): %s %s\n", $2, $3}' "/proc/$pid_sqlite/status"
