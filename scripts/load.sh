#!/usr/bin/env bash
# Load test: wrk against GET /upload and POST /api/presign of a release build with the
# embedded local bucket and SQLite, signed in as a test account without a quota and as
# one with a quota (each of whose forms writes a reservation), and with an API token
# (Bearer) instead of a session, all on 127.0.0.1.
# Prints req/s, p99 latency and the server's RSS.
# Usage: scripts/load.sh [seconds per run, default 10] [connections, default 64]
# POSTBOX_DATABASE_URL=postgres://… runs it on PostgreSQL (an empty database);
# POSTBOX_BIN=path measures another build of postbox (an older commit, say).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-64}"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
bin="${POSTBOX_BIN:-target/release/postbox}"
[ -n "${POSTBOX_BIN:-}" ] || cargo build --release --quiet

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export POSTBOX_DATA_DIR="$work/data"
export POSTBOX_SESSION_SECRET="a load test session secret, long enough to key cookies"
printf 'load test password' | "$bin" user add loadtest --password-stdin >/dev/null
# Room for every reservation a run can make (each form holds its 123,456 bytes).
printf 'load test password' | "$bin" user add loadquota --quota 100TB --password-stdin >/dev/null
POSTBOX_LISTEN="127.0.0.1:$port" RUST_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# Sign in as a browser would: the login form's CSRF token, then the session cookie.
# Sets $cookie and $token for account $1.
csrf() { sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -n1; }
sign_in() {
  local jar="$work/cookies-$1"
  token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | csrf)
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$1" \
    --data-urlencode "password=load test password" --data-urlencode "csrf_token=$token" \
    "http://127.0.0.1:$port/login"
  token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$port/upload" | csrf)
  cookie=$(awk '$6 == "postbox_session" {print $6 "=" $7}' "$jar")
  [ -n "$cookie" ] && [ -n "$token" ] || { echo "error: could not sign in as $1" >&2; exit 1; }
}

cat >"$work/presign.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CSRF-Token"] = os.getenv("POSTBOX_CSRF")
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
  printf '%-30s %10s req/s   p99 %8s\n' "$name" "$rps" "$p99"
}

echo "postbox load test: ${duration}s per route, $connections connections, wrk -t2, loopback"
for account in loadtest loadquota; do
  sign_in "$account"
  export POSTBOX_CSRF="$token"
  label=$([ "$account" = loadquota ] && echo "quota" || echo "no quota")
  run "GET /upload ($label)" -H "Cookie: $cookie" "http://127.0.0.1:$port/upload"
  run "POST /api/presign ($label)" -H "Cookie: $cookie" -s "$work/presign.lua" "http://127.0.0.1:$port/api/presign"
done
# A program with an API token: no cookie, no CSRF token.
bearer=$("$bin" token create loadtest --label "load test")
cat >"$work/presign-bearer.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("POSTBOX_BEARER")
wrk.body = '{"filename":"report.pdf","size":123456,"content_type":"application/pdf"}'
LUA
POSTBOX_BEARER="$bearer" run "POST /api/presign (Bearer)" -s "$work/presign-bearer.lua" "http://127.0.0.1:$port/api/presign"
awk '/VmRSS|VmHWM/ {printf "%-30s %10s %s\n", $1, $2, $3}' "/proc/$server/status"
