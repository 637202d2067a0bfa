#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests and prints the URL to use as
# RSDESK_TEST_DATABASE_URL. Usage: eval "$(bash scripts/start-postgres.sh)"
set -euo pipefail
port=${RSDESK_PG_PORT:-54329}
dir=${RSDESK_PG_DIR:-/tmp/rsdesk-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ ! -s "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  run_as_postgres "$bin/initdb -D $dir -A trust -U postgres --no-sync" >/dev/null
fi
if ! run_as_postgres "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
  run_as_postgres "$bin/pg_ctl -D $dir -l $dir/server.log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' start" >/dev/null
fi
for db in rsdesk_test; do
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db" >/dev/null
done
echo "export RSDESK_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$port/rsdesk_test"
