#!/bin/sh
# Makes sure Debian's PostgreSQL server and client are installed (/usr/lib/postgresql/<ver>/bin with
# initdb and pg_ctl, and psql), for the tests of the PostgreSQL metadata store and several gateways.
# Idempotent: nothing happens when they are already installed. Otherwise, as root, it runs
# `apt-get update` and `apt-get install -y postgresql postgresql-client`, waiting (up to LOCK_WAIT
# seconds, default 300) for another apt or dpkg run to let go of its locks instead of failing.
# Debian's package creates and starts a cluster of its own; the tests never use it (they start a
# private cluster in a temporary directory, see packages/server/src/storage/metadata/postgres/test-cluster.ts).
set -eu

LOCK_WAIT=${LOCK_WAIT:-300}

installed() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || return 1
  command -v psql >/dev/null 2>&1 || return 1
  id postgres >/dev/null 2>&1 || return 1
  if command -v dpkg-query >/dev/null 2>&1; then
    [ "$(dpkg-query -W -f='${Status}' postgresql 2>/dev/null || true)" = "install ok installed" ] || return 1
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
      echo "ensure-postgres: apt-get $* did not succeed within ${LOCK_WAIT}s" >&2
      return 1
    fi
    sleep 3
  done
}

if installed; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-postgres: PostgreSQL is missing; run as root or install Debian's postgresql and postgresql-client packages" >&2
  exit 1
fi
echo "ensure-postgres: installing Debian's postgresql" >&2
apt_retry update -qq
apt_retry install -y -qq postgresql postgresql-client
installed || { echo "ensure-postgres: postgresql is still not installed" >&2; exit 1; }
