#!/bin/sh
# Makes sure some Debian packages are installed, for the tests that need programs beyond Node.
#   ensure-debian.sh [--with-recommends] LABEL CHECK PACKAGE...
# CHECK is a shell command that succeeds once the programs are usable (run with sh -c). Idempotent:
# nothing happens when CHECK succeeds and dpkg calls every package installed (files appear during
# unpacking, before a package is usable). Otherwise, as root, it runs `apt-get update` and
# `apt-get install -y --no-install-recommends PACKAGE...` (recommends too with --with-recommends), waiting (up to LOCK_WAIT seconds, default
# 300) for another apt or dpkg run to let go of its locks instead of failing; when that other run
# was installing the same packages, there is nothing left to do once it ends.
set -eu

RECOMMENDS=--no-install-recommends
if [ "${1:-}" = --with-recommends ]; then RECOMMENDS=; shift; fi
[ $# -ge 3 ] || { echo "usage: ensure-debian.sh [--with-recommends] LABEL CHECK PACKAGE..." >&2; exit 2; }
LABEL=$1
CHECK=$2
shift 2
PACKAGES=$*
LOCK_WAIT=${LOCK_WAIT:-300}

installed() {
  sh -c "$CHECK" >/dev/null 2>&1 || return 1
  if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PACKAGES; do
      [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || return 1
    done
  fi
}

apt_busy() {
  pgrep -x apt-get >/dev/null 2>&1 || pgrep -x apt >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1
}

# Runs an apt-get command, retrying while another apt or dpkg holds the locks.
apt_retry() {
  deadline=$(( $(date +%s) + LOCK_WAIT ))
  while :; do
    if installed; then return 0; fi
    if ! apt_busy && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@"; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$LABEL: apt-get $* did not succeed within ${LOCK_WAIT}s" >&2
      return 1
    fi
    sleep 3
  done
}

if installed; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$LABEL: missing one of $PACKAGES; run as root or install these Debian packages" >&2
  exit 1
fi
echo "$LABEL: installing Debian's $PACKAGES" >&2
apt_retry update -qq
# shellcheck disable=SC2086
apt_retry install -y -qq $RECOMMENDS $PACKAGES
installed || { echo "$LABEL: $PACKAGES are still not all installed" >&2; exit 1; }
