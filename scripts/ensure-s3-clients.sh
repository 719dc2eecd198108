#!/bin/sh
# Makes sure the S3 clients of the end-to-end tests (test/e2e/s3-*.test.ts) are installed from
# Debian: awscli (`aws`), python3-boto3 (imported by /usr/bin/python3), s3cmd and rclone, plus curl
# to fetch pre-signed URLs. Like ensure-python-clients.sh: idempotent (nothing happens when
# everything is there); otherwise, as root, `apt-get update` and `apt-get install -y` of the
# packages, waiting (up to LOCK_WAIT seconds, default 300) for another apt or dpkg run to let go
# of its locks instead of failing.
set -eu

LOCK_WAIT=${LOCK_WAIT:-300}
PACKAGES="awscli python3-boto3 s3cmd rclone curl"

installed() {
  [ -x /usr/bin/aws ] && [ -x /usr/bin/s3cmd ] && [ -x /usr/bin/rclone ] && [ -x /usr/bin/curl ] || return 1
  /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || return 1
  if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PACKAGES; do
      [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || return 1
    done
  fi
}

apt_busy() {
  pgrep -x apt-get >/dev/null 2>&1 || pgrep -x apt >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1
}

apt_retry() {
  deadline=$(( $(date +%s) + LOCK_WAIT ))
  while :; do
    if installed; then return 0; fi
    if ! apt_busy && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@"; then return 0; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "ensure-s3-clients: apt-get $* did not succeed within ${LOCK_WAIT}s" >&2
      return 1
    fi
    sleep 3
  done
}

if installed; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-s3-clients: missing one of $PACKAGES; run as root or install these Debian packages" >&2
  exit 1
fi
echo "ensure-s3-clients: installing Debian's $PACKAGES" >&2
apt_retry update -qq
# shellcheck disable=SC2086
apt_retry install -y -qq --no-install-recommends $PACKAGES
installed || { echo "ensure-s3-clients: $PACKAGES are still not all installed" >&2; exit 1; }
