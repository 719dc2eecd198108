#!/bin/sh
# Debian's PostgreSQL server and client (/usr/lib/postgresql/<ver>/bin with initdb and pg_ctl, and
# psql), for the tests of the PostgreSQL metadata store and several gateways; see ensure-debian.sh.
# Debian's package creates and starts a cluster of its own; the tests never use it (they start a
# private cluster in a temporary directory, see packages/server/src/storage/metadata/postgres/test-cluster.ts).
exec sh "$(dirname "$0")/ensure-debian.sh" --with-recommends ensure-postgres \
  'ls /usr/lib/postgresql/*/bin/initdb && command -v psql && id postgres' \
  postgresql postgresql-client
