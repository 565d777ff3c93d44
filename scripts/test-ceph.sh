#!/usr/bin/env bash
# The integration suite and the browser tests against a throwaway Ceph radosgw on
# 127.0.0.1 (strict S3): starts the gateway (scripts/ceph-s3.sh, which installs its
# packages when missing), runs `cargo test --test api` and `cargo test --test browser`
# with POSTBOX_TEST_S3=ceph, and stops the gateway whatever happens. Arguments go to
# the test binaries:
#
#   scripts/test-ceph.sh                  # both suites on radosgw
#   scripts/test-ceph.sh strict_s3        # tests whose names contain strict_s3
#   POSTBOX_CEPH_TARGETS=api scripts/test-ceph.sh   # the integration suite only
#
# Environment: POSTBOX_CEPH_DIR (default target/ceph-s3), CEPH_S3_PORT and CEPH_MON_PORT
# (default: the first free ports from 7480 and 16789), RUST_TEST_THREADS (default 4),
# POSTBOX_CEPH_TARGETS (default "api browser").
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${POSTBOX_CEPH_DIR:-target/ceph-s3}
mkdir -p "$DIR"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port
  for port in $(seq "$1" $(($1 + 50))); do
    port_busy "$port" || { echo "$port"; return; }
  done
  echo "test-ceph: no free port from $1" >&2
  exit 1
}

# One run per folder at a time: a second start would stop the first one's gateway.
exec 9>"$DIR.lock"
flock -n 9 || { echo "test-ceph: another run is using $DIR" >&2; exit 1; }

CEPH_S3_PORT=${CEPH_S3_PORT:-$(free_port 7480)}
CEPH_MON_PORT=${CEPH_MON_PORT:-$(free_port 16789)}
export CEPH_S3_PORT CEPH_MON_PORT

stop() {
  local t0
  t0=$(now)
  scripts/ceph-s3.sh stop "$DIR" || true
  echo "test-ceph: stop took $(since "$t0") s"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(now)
scripts/ceph-s3.sh start "$DIR"
echo "test-ceph: start (install if needed, boot) took $(since "$t0") s"

# The gateway and nothing else: aws-config reads only these, never a developer's
# profile, another endpoint or instance metadata.
# shellcheck disable=SC1091
. "$DIR/env"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_ENDPOINT_URL_S3 \
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_CONFIG_FILE="$PWD/$DIR/no-aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$PWD/$DIR/no-aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=$CEPH_S3_ENDPOINT
export AWS_ACCESS_KEY_ID=$CEPH_S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$CEPH_S3_SECRET_KEY
export AWS_REGION=$CEPH_S3_REGION
export POSTBOX_TEST_S3=ceph
# radosgw is one process on a small machine; more threads than this only queue.
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-4}

status=0
for target in ${POSTBOX_CEPH_TARGETS:-api browser}; do
  t0=$(now)
  cargo test --test "$target" -- "$@" || status=$?
  echo "test-ceph: $target took $(since "$t0") s ($RUST_TEST_THREADS test threads)"
done
exit "$status"
