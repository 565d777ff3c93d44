#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, the integration suite (embedded
# local bucket on SQLite, then on PostgreSQL), the same suite and the browser tests
# against a throwaway Ceph radosgw, and the browser tests against the local bucket.
# Installs what it needs from Debian packages (radosgw, chromium, chromium-driver) when
# missing, so on a fresh machine run it as root. From anywhere: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests only ever talk to 127.0.0.1: never let aws-config ask instance metadata.
export AWS_EC2_METADATA_DISABLED=true
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Each part below says which database and bucket it uses.
unset POSTBOX_TEST_S3 POSTBOX_TEST_DATABASE

step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "browser packages (scripts/install-browser.sh: Debian's chromium and chromium-driver)"
scripts/install-browser.sh

# Each part runs even when an earlier one failed, so the summary is complete; the
# script fails at the end if any did. All output also goes to target/test-output.txt.
mkdir -p target
: >target/test-output.txt
summary=()
failures=0
part() {
  local name=$1 log status=0 passed failed
  shift
  step "$name"
  log=$(mktemp)
  "$@" 2>&1 | tee "$log" || status=$?
  cat "$log" >>target/test-output.txt
  # A part may print no "N failed" at all: grep finding nothing is not a failure here.
  passed=$({ grep -Eo '[0-9]+ passed' "$log" || true; } | awk '{s+=$1} END {print s+0}')
  failed=$({ grep -Eo '[0-9]+ failed' "$log" || true; } | awk '{s+=$1} END {print s+0}')
  rm -f "$log"
  if [ "$status" != 0 ]; then
    failures=$((failures + 1))
    summary+=("$name: $passed passed, $failed failed (exit code $status)")
  else
    summary+=("$name: $passed passed, $failed failed")
  fi
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  # The machine's PostgreSQL may have stopped; this is how it is started here. Before
  # the first part: its outage test cuts a PostgreSQL whatever the suite's database.
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
part "unit tests and integration suite (SQLite, local bucket)" \
  cargo test --lib --bins --benches --test layers --test api

# Each test makes its own database postbox_test_*; drop the ones earlier runs left.
scripts/drop-test-databases.sh || true
part "integration suite (PostgreSQL on 127.0.0.1:5432, a database per test)" \
  env POSTBOX_TEST_DATABASE=postgres cargo test --test api
scripts/drop-test-databases.sh || true

part "the README's API flow with curl (scripts/api-flow.sh, local bucket)" \
  scripts/api-flow.sh

part "browser tests (headless Chromium, local bucket; screenshots in target/browser-screenshots/)" \
  cargo test --test browser

# Strict S3: the integration suite and the browser tests against a throwaway Ceph
# radosgw on 127.0.0.1 (installed when missing, started in target/ceph-s3, always stopped).
part "integration suite and browser tests on Ceph radosgw (strict S3, 127.0.0.1)" \
  scripts/test-ceph.sh

step "summary ($(($(date +%s) - started)) s)"
printf '%s\n' "${summary[@]}"
passed=$({ grep -Eo '[0-9]+ passed' target/test-output.txt || true; } | awk '{s+=$1} END {print s+0}')
failed=$({ grep -Eo '[0-9]+ failed' target/test-output.txt || true; } | awk '{s+=$1} END {print s+0}')
echo "total: $passed passed, $failed failed"
[ "$failures" = 0 ] || { echo "$failures part(s) failed"; exit 1; }
