#!/usr/bin/env bash
# Drops the PostgreSQL databases the integration suite made (postbox_test_*, one per
# test) on 127.0.0.1:5432, or on POSTBOX_TEST_POSTGRES_URL's server.
set -euo pipefail
server=${POSTBOX_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
names=$(psql "$server/test" -Atc \
  "SELECT datname FROM pg_database WHERE datname LIKE 'postbox\_test\_%'")
count=0
for name in $names; do
  psql "$server/test" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" && count=$((count + 1))
done
echo "dropped $count test database(s)"
