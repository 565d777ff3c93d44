#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, the integration suite (against
# the embedded local bucket) and the browser tests (installs Debian's chromium and
# chromium-driver when missing, so run as root on a fresh machine). From anywhere:
# scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests only ever talk to 127.0.0.1: never let aws-config ask instance metadata.
export AWS_EC2_METADATA_DISABLED=true
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test (unit and integration, SQLite)"
# Every target but the browser tests, which have their own step below.
cargo test --lib --bins --benches --test api 2>&1 | tee target/test-output.txt

step "integration suite again on PostgreSQL (127.0.0.1:5432, one database per test)"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  # The machine's PostgreSQL may have stopped; this is how it is started here.
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
POSTBOX_TEST_DATABASE=postgres cargo test --test api 2>&1 | tee -a target/test-output.txt

step "browser packages (scripts/install-browser.sh: Debian's chromium and chromium-driver)"
scripts/install-browser.sh

step "browser tests (headless Chromium on 127.0.0.1; screenshots in target/browser-screenshots/)"
cargo test --test browser 2>&1 | tee target/browser-output.txt
cat target/browser-output.txt >> target/test-output.txt
browser=$(grep -E '^test result' target/browser-output.txt | grep -Eo '[0-9]+ passed; [0-9]+ failed')

passed=$(grep -Eo '[0-9]+ passed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test-output.txt | awk '{s+=$1} END {print s+0}')
step "summary"
echo "browser tests: $browser"
echo "$passed passed, $failed failed"
