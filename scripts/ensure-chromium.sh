#!/bin/sh
# Makes sure Debian's Chromium is installed (/usr/bin/chromium), for the browser end-to-end test.
# Idempotent: nothing happens when the package is already installed. Otherwise, as root, it runs
# `apt-get update` and `apt-get install -y chromium`, waiting (up to LOCK_WAIT seconds, default 300)
# for another apt or dpkg run to let go of its locks instead of failing; when that other run was
# installing Chromium itself, there is nothing left to do once it ends.
set -eu

LOCK_WAIT=${LOCK_WAIT:-300}

installed() {
  [ -x /usr/bin/chromium ] || return 1
  # The binary appears during unpacking; the package is usable once dpkg calls it installed.
  if command -v dpkg-query >/dev/null 2>&1; then
    [ "$(dpkg-query -W -f='${Status}' chromium 2>/dev/null || true)" = "install ok installed" ]
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
      echo "ensure-chromium: apt-get $* did not succeed within ${LOCK_WAIT}s" >&2
      return 1
    fi
    sleep 3
  done
}

if installed; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: /usr/bin/chromium is missing; run as root or install Debian's chromium package" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium" >&2
apt_retry update -qq
apt_retry install -y -qq chromium
installed || { echo "ensure-chromium: chromium is still not installed" >&2; exit 1; }
