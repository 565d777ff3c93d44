#!/usr/bin/env bash
# Runs the README's API flow ("The API for programs": the block between the
# api-flow markers), line for line, against a fresh app on the embedded bucket: a token
# from the CLI, presign, post to the bucket, confirm, list, download, delete. Then
# validates the app's /api/openapi.json with openapi-spec-validator (from PyPI).
# Installs curl, jq and the validator when missing. From anywhere: scripts/api-flow.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v jq >/dev/null || ! command -v curl >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends jq curl >/dev/null
fi
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  python3 -m pip install -q 'openapi-spec-validator>=0.7' >/dev/null
fi
cargo build --quiet
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export POSTBOX_DATA_DIR="$work/data" POSTBOX_LISTEN="127.0.0.1:$port" RUST_LOG=warn
export PATH="$root/target/debug:$PATH"
printf 'alice password 1' | postbox user add alice --password-stdin >/dev/null
postbox serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export POSTBOX="http://127.0.0.1:$port"

# The README's own lines, not a copy: a change there is what CI runs.
sed -n '/<!-- api-flow:/,/<!-- \/api-flow -->/p' README.md | sed '1,2d;$d' | sed '$d' >"$work/flow.sh"
[ -s "$work/flow.sh" ] || { echo "api-flow: no flow block found in README.md" >&2; exit 1; }
# And then the file must be gone (checked with the flow's own token).
echo '[ "$(curl -fsS "$POSTBOX/api/uploads" -H "Authorization: Bearer $TOKEN" | jq ".uploads | length")" = 0 ]' >>"$work/flow.sh"
cd "$work"
echo "api-flow: running $(grep -c . flow.sh) lines of the README against $POSTBOX"
# Not traced: the lines hold the token, which must not reach the log.
if bash -euo pipefail flow.sh; then
  echo "api-flow: the README's flow: ok (1 passed)"
else
  echo "api-flow: the README's flow failed (1 failed); server log:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
fi

curl -fsS "$POSTBOX/api/openapi.json" >openapi.json
if python3 -c 'import json, sys
from openapi_spec_validator import validate
validate(json.load(open("openapi.json")))'; then
  echo "api-flow: /api/openapi.json is a valid OpenAPI document: ok (1 passed)"
else
  echo "api-flow: /api/openapi.json does not validate (1 failed)" >&2
  exit 1
fi
