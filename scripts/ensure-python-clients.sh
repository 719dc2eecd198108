#!/bin/sh
# Makes sure the non-Node clients of the end-to-end tests are installed from Debian: python3 with
# python3-requests (the HTTP library cos-python-sdk-v5 sends everything through) and curl.
# /usr/bin/python3 is the interpreter the tests run, so the check imports the modules with it (a
# python3 earlier on PATH, pyenv's say, has its own site-packages and does not count).
# Idempotent: nothing happens when everything is there. Otherwise, as root, it runs
# `apt-get update` and `apt-get install -y python3 python3-requests curl`, waiting (up to LOCK_WAIT
# seconds, default 300) for another apt or dpkg run to let go of its locks instead of failing.
set -eu

LOCK_WAIT=${LOCK_WAIT:-300}
PACKAGES="python3 python3-requests curl"

installed() {
  [ -x /usr/bin/python3 ] && [ -x /usr/bin/curl ] || return 1
  /usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || return 1
  # Files appear during unpacking; a package is usable once dpkg calls it installed.
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
      echo "ensure-python-clients: apt-get $* did not succeed within ${LOCK_WAIT}s" >&2
      return 1
    fi
    sleep 3
  done
}

if installed; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-python-clients: missing one of $PACKAGES; run as root or install these Debian packages" >&2
  exit 1
fi
echo "ensure-python-clients: installing Debian's $PACKAGES" >&2
apt_retry update -qq
# shellcheck disable=SC2086
apt_retry install -y -qq --no-install-recommends $PACKAGES
installed || { echo "ensure-python-clients: $PACKAGES are still not all installed" >&2; exit 1; }
