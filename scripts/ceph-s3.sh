#!/usr/bin/env bash
# A throwaway single-node Ceph S3 gateway (radosgw) on 127.0.0.1, for the strict test suite.
#
#   scripts/ceph-s3.sh start DIR    install what is missing, boot mon + osd (memstore) + radosgw,
#                                   create an S3 user, write DIR/env (source it)
#   scripts/ceph-s3.sh stop DIR     stop the processes named by DIR/run/*.pid; DIR stays reusable
#   scripts/ceph-s3.sh status DIR   say whether the run in DIR is up (exit 0) or not (exit 1)
#
# Environment: CEPH_S3_PORT (default 7480), CEPH_MON_PORT (default 16789).
# DIR/env holds CEPH_S3_ENDPOINT, CEPH_S3_ACCESS_KEY, CEPH_S3_SECRET_KEY, CEPH_S3_REGION
# (keys are random per run). Everything listens on 127.0.0.1 only; data lives in memory (memstore).
#
# Gotchas (from a tested recipe):
# - with auth off, radosgw 16.2 loops on EACCES unless every "ms * mode" is "crc secure";
# - the monitor address must be a v2 address in both ceph.conf and the monmap;
# - pg counts must be small (one OSD), and pool size 1 must be allowed.
# - radosgw answers a POST form's bad signature with 403 AccessDenied (AWS says
#   SignatureDoesNotMatch); a presigned URL's bad signature gets SignatureDoesNotMatch.
# - the user may create any number of buckets (the default limit, 1000, is reached after
#   about 25 runs of the suite, which makes a bucket per test, on one gateway).
# See scripts/ceph-s3.md for the measured answers radosgw gives to browser-style POST uploads.
set -euo pipefail

PKGS=(radosgw ceph-mon ceph-osd ceph-common uuid-runtime curl)
S3_PORT=${CEPH_S3_PORT:-7480}
MON_PORT=${CEPH_MON_PORT:-16789}
# radosgw checks SigV4 with whatever region the client signs for (any string works); "default"
# is the name of the zonegroup it makes, the only LocationConstraint it accepts besides none.
REGION=default

usage() { echo "usage: $0 {start|stop|status} DIR" >&2; exit 2; }
die() { echo "ceph-s3: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The pid files of a run: DIR/run/{mon.a,osd.N,client.rgw}.pid
shopt -s nullglob

# Is PID alive and one of ours (a ceph daemon), not a pid reused by something else?
is_ceph_pid() {
  local pid=$1 comm
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
  case "$comm" in ceph-mon | ceph-osd | radosgw) return 0 ;; esac
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq '(ceph-mon|ceph-osd|radosgw) '
}

# Stop daemons given as NAME:PID pairs together: SIGTERM, wait up to 5 s, then SIGKILL.
stop_pids() {
  local np alive
  [ $# -gt 0 ] || return 0
  for np in "$@"; do kill -TERM "${np#*:}" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for np in "$@"; do kill -0 "${np#*:}" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for np in "$@"; do
    if kill -0 "${np#*:}" 2>/dev/null; then
      echo "ceph-s3: ${np%%:*} (pid ${np#*:}) did not exit in 5 s, sending SIGKILL" >&2
      kill -KILL "${np#*:}" 2>/dev/null || true
    fi
  done
  for np in "$@"; do
    for _ in $(seq 1 50); do kill -0 "${np#*:}" 2>/dev/null || break; sleep 0.1; done
  done
}

# Stop a run: radosgw and the osd first, then the monitor (an osd whose monitor is gone
# hangs on SIGTERM until SIGKILL). Each daemon takes about 2 s to exit.
stop_run() {
  local d=$1 f pid n=0 pat
  for pat in '[!m]*' '*'; do
    local batch=()
    for f in "$d"/run/$pat.pid; do
      [ -e "$f" ] || continue
      pid=$(tr -dc '0-9' <"$f" || true)
      is_ceph_pid "$pid" && batch+=("$(basename "$f" .pid):$pid")
      rm -f "$f"
    done
    stop_pids "${batch[@]}"
    n=$((n + ${#batch[@]}))
  done
  rm -f "$d"/run/*.asok "$d/env"
  echo "ceph-s3: stopped $n process(es) of $d"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_missing() {
  local missing=() p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" = 0 ]; then
    echo "ceph-s3: packages present (${PKGS[*]})"
    return
  fi
  local sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo="sudo -n"
  fi
  local t0; t0=$(now)
  echo "ceph-s3: installing ${missing[*]}"
  # A fresh machine may still be running its first apt jobs: wait for the lock.
  local lock=(-o DPkg::Lock::Timeout=300)
  $sudo apt-get "${lock[@]}" update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
  echo "ceph-s3: install took $(since "$t0") s"
}

fail_boot() {
  echo "ceph-s3: $1; last log lines:" >&2
  tail -n 20 "$D"/log/*.log >&2 2>/dev/null || true
  stop_run "$D" >&2 || true
  exit 1
}

start() {
  D=$1
  if [ -d "$D" ] && [ -n "$(ls -A "$D")" ] && [ ! -f "$D/ceph.conf" ]; then
    die "refusing: $D is not empty and holds no earlier ceph-s3 run"
  fi
  mkdir -p "$D"
  D=$(cd "$D" && pwd)
  local old=("$D"/run/*.pid)
  if [ "${#old[@]}" -gt 0 ]; then stop_run "$D"; fi

  install_missing

  port_busy "$S3_PORT" && die "port 127.0.0.1:$S3_PORT is busy (set CEPH_S3_PORT to another port)"
  port_busy "$MON_PORT" && die "port 127.0.0.1:$MON_PORT is busy (set CEPH_MON_PORT to another port)"

  local t0; t0=$(now)
  rm -rf "${D:?}"/{mon,osd0,run,log,ceph.conf,keyring,monmap,env}
  mkdir -p "$D"/{mon,osd0,run,log}
  local fsid C="$D/ceph.conf"
  fsid=$(uuidgen)
  cat >"$C" <<CONF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms mon client mode = crc secure
ms client mode = crc secure
ms cluster mode = crc secure
ms service mode = crc secure
ms mon cluster mode = crc secure
ms mon service mode = crc secure
keyring = $D/keyring
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
# One monitor: commit map changes at once instead of batching them for 1 s (faster boot).
paxos propose interval = 0.05
paxos min wait = 0.01
osd crush chooseleaf type = 0
mon data = $D/mon
osd data = $D/osd0
osd objectstore = memstore
memstore device bytes = 1073741824
osd max object name len = 460
osd max object namespace len = 64
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT
rgw dns name = localhost
rgw thread pool size = 32
# No lifecycle threads: they sleep 5 s at a time and make radosgw slow to stop.
rgw enable lc threads = false
CONF
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$fsid" "$D/monmap" >/dev/null

  ceph-mon -c "$C" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" >"$D/log/mkfs.log" 2>&1 \
    || fail_boot "ceph-mon --mkfs failed"
  ceph-mon -c "$C" -i a || fail_boot "ceph-mon did not start"
  local ok=
  for _ in $(seq 1 100); do
    ceph -c "$C" --connect-timeout 5 mon stat >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.2
  done
  [ -n "$ok" ] || fail_boot "monitor did not answer on 127.0.0.1:$MON_PORT"

  local osd_uuid id
  osd_uuid=$(uuidgen)
  id=$(ceph -c "$C" osd new "$osd_uuid") || fail_boot "ceph osd new failed"
  ceph-osd -c "$C" -i "$id" --mkfs --osd-uuid "$osd_uuid" >>"$D/log/mkfs.log" 2>&1 \
    || fail_boot "ceph-osd --mkfs failed"
  ceph-osd -c "$C" -i "$id" 2>>"$D/log/start.log" || fail_boot "ceph-osd did not start"
  ok=
  for _ in $(seq 1 150); do
    ceph -c "$C" osd stat 2>/dev/null | grep -q '1 up' && { ok=1; break; }
    sleep 0.2
  done
  [ -n "$ok" ] || fail_boot "osd did not come up"

  radosgw -c "$C" -n client.rgw || fail_boot "radosgw did not start"
  ok=
  for _ in $(seq 1 300); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$S3_PORT/" && { ok=1; break; }
    sleep 0.2
  done
  [ -n "$ok" ] || fail_boot "radosgw did not answer on 127.0.0.1:$S3_PORT within 60 s"

  # Random credentials per run (letters and digits only: nothing to escape).
  local ak sk
  ak=$(head -c 600 /dev/urandom | LC_ALL=C tr -dc 'A-Z0-9')
  sk=$(head -c 900 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
  ak="AK${ak:0:18}" sk=${sk:0:40}
  if [ "${#ak}" != 20 ] || [ "${#sk}" != 40 ]; then fail_boot "could not make random keys"; fi
  radosgw-admin -c "$C" user create --uid=tester --display-name=tester --max-buckets=0 \
    --access-key="$ak" --secret="$sk" >/dev/null || fail_boot "radosgw-admin user create failed"

  cat >"$D/env.tmp" <<ENV
CEPH_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
CEPH_S3_ACCESS_KEY=$ak
CEPH_S3_SECRET_KEY=$sk
CEPH_S3_REGION=$REGION
ENV
  mv "$D/env.tmp" "$D/env"
  echo "ceph-s3: boot took $(since "$t0") s; rgw up at http://127.0.0.1:$S3_PORT;" \
    "env in $D/env; pids: $(cat "$D"/run/*.pid | tr '\n' ' ')"
}

status() {
  local d=$1 f pid up=0 total=0
  for f in "$d"/run/*.pid; do
    total=$((total + 1))
    pid=$(tr -dc '0-9' <"$f" || true)
    if is_ceph_pid "$pid"; then
      up=$((up + 1))
      echo "$(basename "$f" .pid): pid $pid running, rss $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")"
    else
      echo "$(basename "$f" .pid): not running"
    fi
  done
  if [ "$total" -ge 3 ] && [ "$up" = "$total" ] && [ -f "$d/env" ]; then
    # shellcheck disable=SC1091
    . "$d/env"
    if curl -s -o /dev/null --max-time 2 "$CEPH_S3_ENDPOINT/"; then
      echo "up: $CEPH_S3_ENDPOINT"
      return 0
    fi
  fi
  echo "down"
  return 1
}

[ $# = 2 ] || usage
case "$1" in
  start) start "$2" ;;
  stop)
    [ -d "$2" ] || die "no such directory: $2"
    stop_run "$(cd "$2" && pwd)"
    ;;
  status) status "$2" ;;
  *) usage ;;
esac
