#!/usr/bin/env bash
# pytest on the embedded SQLite and on PostgreSQL, side by side (two cores, two suites), each
# printed in full when it ends. PEKEN_REQUIRE_POSTGRES=1 (as in CI) turns an unreachable
# PostgreSQL into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${PEKEN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/peken}"
LOGS=$(mktemp -d)
ran=()
failed=0

postgres_reachable() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys
import psycopg
from urllib.parse import urlsplit, urlunsplit
url = urlsplit(sys.argv[1])
maintenance = urlunsplit(url._replace(path="/postgres"))
try:
    psycopg.connect(maintenance, connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable: {error}", file=sys.stderr)
    sys.exit(1)
PY
}

# Each suite keeps its SQLite files and media in its own folder, so the two never meet.
env -u DATABASE_URL PEKEN_DATA_DIR="$LOGS/sqlite-data" "$BIN/pytest" "$@" >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
postgres_pid=""
if postgres_reachable; then
  DATABASE_URL="$PG_URL" PEKEN_DATA_DIR="$LOGS/postgres-data" "$BIN/pytest" "$@" \
    >"$LOGS/postgres.log" 2>&1 &
  postgres_pid=$!
elif [ "${PEKEN_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PEKEN_REQUIRE_POSTGRES=1 and PostgreSQL is not reachable: failing." >&2
  failed=1
else
  echo "PostgreSQL skipped (not reachable). Set PEKEN_REQUIRE_POSTGRES=1 to make this a failure."
fi

echo "== pytest on SQLite"
if wait "$sqlite_pid"; then ran+=("SQLite"); else failed=1; fi
cat "$LOGS/sqlite.log"
if [ -n "$postgres_pid" ]; then
  echo "== pytest on PostgreSQL ($PG_URL)"
  if wait "$postgres_pid"; then ran+=("PostgreSQL"); else failed=1; fi
  cat "$LOGS/postgres.log"
fi

echo "== databases tested: ${ran[*]:-none}"
rm -rf "$LOGS"
exit $failed
