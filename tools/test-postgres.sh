#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 cluster, then stop and delete it.
#   tools/test-postgres.sh .venv/bin/python -m pytest tests/store
# The cluster lives in a temporary directory, listens only on a unix socket there (no TCP port, nothing leaves the
# machine) and is named to the command by CARTE_TEST_POSTGRES_URL. pg_ctl refuses to run as root: as root the
# server runs as the `postgres` user (runuser).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 introuvable ($PGBIN) : installez le paquet postgresql-15 (apt-get install postgresql-15)." >&2
  exit 2
fi
dir=$(mktemp -d /tmp/carte-pg.XXXXXX)
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
cleanup() {
  as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_server "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-k $dir -c listen_addresses='' -c fsync=off -c full_page_writes=off" start >/dev/null
as_server "$PGBIN/createdb" -h "$dir" -U postgres carte_test
export CARTE_TEST_POSTGRES_URL="postgresql+psycopg://postgres@/carte_test?host=$dir"
"$@"
