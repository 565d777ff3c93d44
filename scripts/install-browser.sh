#!/usr/bin/env bash
# Installs Debian's Chromium and chromedriver for the browser tests (cargo test --test browser).
# Idempotent: does nothing when both are already there. Needs root (CI runs as root).
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser.sh: chromium and chromium-driver are missing; run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium chromium-driver
command -v chromium >/dev/null && command -v chromedriver >/dev/null
