#!/usr/bin/env bash
# pytest on the embedded SQLite, then the same suite on PostgreSQL.
# PEKEN_REQUIRE_POSTGRES=1 (as in CI) turns an unreachable PostgreSQL into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${PEKEN_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/peken}"
ran=()
failed=0

echo "== pytest on SQLite"
if env -u DATABASE_URL "$BIN/pytest" "$@"; then ran+=("SQLite"); else failed=1; fi

echo "== pytest on PostgreSQL ($PG_URL)"
if "$BIN/python" - "$PG_URL" <<'PY'
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
then
  if DATABASE_URL="$PG_URL" "$BIN/pytest" "$@"; then ran+=("PostgreSQL"); else failed=1; fi
elif [ "${PEKEN_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PEKEN_REQUIRE_POSTGRES=1 and PostgreSQL is not reachable: failing." >&2
  failed=1
else
  echo "PostgreSQL skipped (not reachable). Set PEKEN_REQUIRE_POSTGRES=1 to make this a failure."
fi

echo "== databases tested: ${ran[*]:-none}"
exit $failed
