#!/usr/bin/env bash
# A throwaway PostgreSQL primary and its streaming replica, for the read replica tests
# (tests/replica), and PgBouncer in transaction mode in front of the primary when pgbouncer is
# installed: `start` creates them from nothing, `stop` stops them and deletes them, `env` prints
# the URLs the tests read. The machine's own cluster (5432) is left alone.
#
#   bash scripts/replica-cluster.sh start && eval "$(bash scripts/replica-cluster.sh env)"
#
# PEKEN_REPLICA_CLUSTER_DIR (default /tmp/peken-replica-cluster), PEKEN_REPLICA_PRIMARY_PORT
# (5531) and PEKEN_REPLICA_REPLICA_PORT (5532) choose where. Run as root (the clusters belong to
# the postgres user) or as the postgres user itself.
set -euo pipefail
DIR="${PEKEN_REPLICA_CLUSTER_DIR:-/tmp/peken-replica-cluster}"
PRIMARY_PORT="${PEKEN_REPLICA_PRIMARY_PORT:-5531}"
REPLICA_PORT="${PEKEN_REPLICA_REPLICA_PORT:-5532}"
PGBOUNCER_PORT="${PEKEN_REPLICA_PGBOUNCER_PORT:-5533}"
PGBOUNCER="$(command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null || true)"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "replica-cluster: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

urls() {
  echo "export PEKEN_REPLICA_TEST_PRIMARY_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/peken"
  echo "export PEKEN_REPLICA_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/peken"
  echo "export PEKEN_REPLICA_TEST_REPLICA_DATA=$DIR/replica"
  echo "export PEKEN_REPLICA_TEST_PG_BIN=$BIN"
  if [ -f "$DIR/pgbouncer.ini" ]; then
    echo "export PEKEN_REPLICA_TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/peken"
  fi
}

stop() {
  if [ -f "$DIR/pgbouncer.pid" ]; then
    kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
  fi
  for name in replica primary; do
    if [ -f "$DIR/$name/postmaster.pid" ]; then
      as_postgres "$BIN/pg_ctl" -D "$DIR/$name" -m immediate stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$DIR"
}

start() {
  stop
  mkdir -p "$DIR"
  chown postgres: "$DIR" 2>/dev/null || true
  as_postgres "$BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  cat >>"$DIR/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
# fsync off: a throwaway pair. synchronous_commit stays on, as in production: a commit is in
# the WAL the replica is sent (and that the tests wait for) when it returns.
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
CONF
  echo "host replication all 127.0.0.1/32 trust" >>"$DIR/primary/pg_hba.conf"
  as_postgres "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" \
    -R -X stream -c fast
  cat >>"$DIR/replica/postgresql.conf" <<CONF
port = $REPLICA_PORT
hot_standby_feedback = on
CONF
  as_postgres "$BIN/pg_ctl" -D "$DIR/replica" -l "$DIR/replica.log" -w start >/dev/null
  "$BIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c "CREATE DATABASE peken" postgres
  # The new database reaches the replica before anyone reads it there.
  for _ in $(seq 1 50); do
    "$BIN/psql" -qtA -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -c "SELECT 1" peken \
      >/dev/null 2>&1 && break
    sleep 0.2
  done
  [ -z "$PGBOUNCER" ] || pgbouncer_start
  echo "replica-cluster: primary on $PRIMARY_PORT, streaming replica on $REPLICA_PORT ($DIR)"
}

# Transaction pooling, two server connections: a statement prepared in one transaction is
# soon run in another on a different server connection (tests/replica: PEKEN_PGBOUNCER).
pgbouncer_start() {
  echo '"postgres" ""' >"$DIR/userlist.txt"
  cat >"$DIR/pgbouncer.ini" <<CONF
[databases]
peken = host=127.0.0.1 port=$PRIMARY_PORT dbname=peken
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
pidfile = $DIR/pgbouncer.pid
logfile = $DIR/pgbouncer.log
CONF
  chown postgres: "$DIR"/pgbouncer.ini "$DIR"/userlist.txt 2>/dev/null || true
  as_postgres "$PGBOUNCER" -d -q "$DIR/pgbouncer.ini"
  echo "replica-cluster: PgBouncer (transaction mode) on $PGBOUNCER_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) urls ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
