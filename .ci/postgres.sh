#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the PostgreSQL catalog tests and print
# the URL the tests read from SEOULREC_TEST_PG. Debian's postgresql package (installed by
# .ci/run); data under ${SEOULREC_PG_DATA:-/tmp/seoulrec-pg}, port ${SEOULREC_PG_PORT:-54329}.
# fsync and autovacuum off: a throw-away server (an autovacuum worker in a test database would
# also stop a non-superuser's DROP DATABASE ... WITH (FORCE)). Password authentication over TCP (the tests try wrong credentials); role seoulrec may create
# databases (one per test).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed" >&2; exit 1; }
data=${SEOULREC_PG_DATA:-/tmp/seoulrec-pg}
port=${SEOULREC_PG_PORT:-54329}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    pw=$(mktemp); echo postgres > "$pw"; chmod 644 "$pw"
    as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pw"
fi
if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c max_connections=200 -c fsync=off -c autovacuum=off" start >/dev/null
fi
as_pg "$bin/psql" -h "$data" -p "$port" -U postgres -d postgres -qtAc \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'seoulrec') THEN CREATE ROLE seoulrec LOGIN CREATEDB PASSWORD 'seoulrec'; END IF; END \$\$;" >/dev/null
echo "postgresql://seoulrec:seoulrec@127.0.0.1:$port/postgres"
