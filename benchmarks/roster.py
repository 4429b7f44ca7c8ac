"""The ASN roster import, against the same rows written the plainest way."""

import csv
import io
import statistics
from collections.abc import Callable

from benchmarks.common import (
    ASN_SURABAYA,
    DATABASES,
    QUICK_ROWS,
    ROSTER_TARGET_SECONDS,
    Config,
    Row,
    benchmark,
    child,
    generated_roster,
    prepare_database,
    profile,
    repeat,
    run_child,
)


@benchmark(
    "roster",
    title="ASN roster import",
    intro=(
        "`peken.accounts.roster.roster_import` on a generated roster of Surabaya's size "
        f"({ASN_SURABAYA:,} ASN; {QUICK_ROWS:,} in quick mode), on a fresh database with the "
        "bundled regions and the demo OPD list. *first import*: empty roster, every row created "
        "(roster emptied before each repetition). *re-import*: the same file again, every row "
        "unchanged. "
        f"Target: under {ROSTER_TARGET_SECONDS:g} s (median) per import. "
        "Yardstick: parse the same CSV with `csv` and write it with a plain `executemany` INSERT "
        "into a scratch table on the same database; the ratio (import / yardstick) is the figure "
        "to compare across machines, for the same database only (the yardstick writes in-process "
        "on SQLite but through a socket to a server on PostgreSQL)."
    ),
)
def bench_roster(config: Config) -> list[Row]:
    rows: list[Row] = []
    for database in config.databases:
        result = run_child("roster", database, config)
        rows.extend(roster_report_rows(DATABASES[database], result, config))
    return rows


def roster_report_rows(label: str, result: dict, config: Config) -> list[Row]:
    target = None if config.quick else ROSTER_TARGET_SECONDS  # the target is for full size
    if "skipped" in result:
        return [Row(label, "all", config.rows, skipped=result["skipped"])]
    yardstick = statistics.median(result["yardstick"])
    return [
        Row(label, name, result["rows"], seconds, target, yardstick)
        for name, seconds in result["measurements"].items()
    ]


@child("roster")
def child_roster(config: Config) -> dict:
    from peken.accounts.roster import roster_import
    from peken.demo.people import roster_csv, roster_xlsx

    prepare_database()
    people = generated_roster(config.rows)
    csv_data, xlsx_data = roster_csv(people), roster_xlsx(people)

    def load(data: bytes, expect: str) -> Callable[[], None]:
        def action() -> None:
            result = roster_import(data=data, actor="bench")
            # A benchmark of an import that silently did something else would be worthless.
            if getattr(result, expect) != config.rows:
                raise RuntimeError(f"expected {config.rows} {expect}, got {result}")

        return action

    yardstick = repeat(
        config, "yardstick", lambda: yardstick_insert(csv_data), before=yardstick_table
    )
    plan = {
        "first import, CSV": (load(csv_data, "created"), empty_roster),
        "re-import, CSV (unchanged)": (load(csv_data, "unchanged"), None),
        "first import, XLSX": (load(xlsx_data, "created"), empty_roster),
    }
    measurements = {
        name: repeat(config, name, action, before) for name, (action, before) in plan.items()
    }
    if config.profile:
        for data in (csv_data, xlsx_data):
            profile(load(data, "created"), before=empty_roster)
    return {"rows": config.rows, "yardstick": yardstick, "measurements": measurements}


def empty_roster() -> None:
    """Removes what an import created. Audit entries stay: PostgreSQL refuses to delete them."""
    from django.db import connection

    from peken.accounts.models import AsnProfile, RoleGrant, User

    tables = [connection.ops.quote_name(m._meta.db_table) for m in (RoleGrant, AsnProfile, User)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            # Without it the next import steps over 16,000 dead rows in every unique index,
            # which a first import on a new database never does.
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


# --- yardstick: the same rows written the plainest way ----------------------------------------

YARDSTICK_TABLE = "bench_yardstick"
YARDSTICK_COLUMNS = 11  # the columns of peken.demo.people.ROSTER_HEADER


def yardstick_table() -> None:
    from django.db import connection

    columns = ", ".join(f"c{index} varchar(200)" for index in range(1, YARDSTICK_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {YARDSTICK_TABLE}")
        cursor.execute(f"CREATE TABLE {YARDSTICK_TABLE} (c0 varchar(200) PRIMARY KEY, {columns})")


def yardstick_insert(data: bytes) -> None:
    from django.db import connection, transaction

    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)  # header
    rows = list(reader)
    marks = ", ".join(["%s"] * YARDSTICK_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {YARDSTICK_TABLE} VALUES ({marks})", rows)
