"""Backups and restores of the whole database, by the database's own tools.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot taken while Peken keeps serving),
restored by `pg_restore` in one transaction. SQLite: the sqlite3 online backup API, which copies
a consistent snapshot of a database in WAL mode while it is written to.

A restore goes only into an empty database: restoring over live data would mix two histories
(two ledgers, two caps) in a way no check could untangle afterwards.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

POSTGRES_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
SQLITE_MAGIC = b"SQLite format 3\x00"
TOOL_SECONDS = 3600


class BackupError(Exception):
    """str(error) says, in Indonesian, what went wrong and what to do."""


@dataclass(frozen=True)
class BackupDone:
    path: Path
    size: int
    vendor: str


def default_backup_path(now: dt.datetime | None = None) -> Path:
    moment = (now or timezone.now()).astimezone(dt.UTC)
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    return Path(settings.DATA_DIR) / "backups" / f"peken-{moment:%Y%m%d-%H%M%S}.{suffix}"


def database_backup(*, path: Path) -> BackupDone:
    """Writes a backup of the default database to `path` (which must not exist yet)."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("Berkas %(path)s sudah ada; pilih nama lain.") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        if connection.vendor == "postgresql":
            _pg_dump(partial)
        elif connection.vendor == "sqlite":
            _sqlite_backup(partial)
        else:
            raise BackupError(
                _("Basis data %(vendor)s tidak didukung.") % {"vendor": connection.vendor}
            )
        # Renamed only when whole: a backup interrupted half-way never looks like a good one.
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupDone(path=path, size=path.stat().st_size, vendor=connection.vendor)


def database_restore(*, path: Path) -> None:
    """Restores a backup into the default database, which must be empty."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("Berkas cadangan tidak ditemukan: %(path)s") % {"path": path})
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    tables = database_tables()
    if tables:
        raise BackupError(
            _(
                "Basis data tujuan tidak kosong (%(count)s tabel, antara lain %(example)s). "
                "Pemulihan hanya ke basis data yang kosong: buat yang baru (PostgreSQL: createdb "
                "lalu DATABASE_URL ke sana; SQLite: PEKEN_DATA_DIR ke folder kosong), lalu ulangi."
            )
            % {"count": len(tables), "example": ", ".join(sorted(tables)[:3])}
        )
    if connection.vendor == "postgresql":
        if not head.startswith(POSTGRES_MAGIC):
            raise BackupError(_wrong_kind(path, "pg_dump"))
        _pg_restore(path)
    else:
        if head != SQLITE_MAGIC:
            raise BackupError(_wrong_kind(path, "SQLite"))
        _sqlite_restore(path)


def _wrong_kind(path: Path, kind: str) -> str:
    return _(
        "%(path)s bukan cadangan %(kind)s. Cadangan PostgreSQL dipulihkan ke PostgreSQL, "
        "cadangan SQLite ke SQLite."
    ) % {"path": path, "kind": kind}


def database_tables() -> list[str]:
    """Tables (and views) in the default database as Django sees it."""
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor, include_views=True)


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda tool: int(tool.parent.parent.name) if tool.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        _("%(tool)s tidak ditemukan. Pasang klien PostgreSQL (Debian: postgresql-client).")
        % {"tool": name}
    )


def postgres_environment() -> dict[str, str]:
    """libpq's variables for the default database, so no password lands on a command line."""
    config = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    if config.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = config["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str]) -> None:
    try:
        subprocess.run(
            command,
            env=postgres_environment(),
            check=True,
            capture_output=True,
            text=True,
            timeout=TOOL_SECONDS,
        )
    except subprocess.CalledProcessError as error:
        raise BackupError(
            _("%(tool)s gagal (kode %(code)s): %(message)s")
            % {
                "tool": Path(command[0]).name,
                "code": error.returncode,
                "message": (error.stderr or "").strip()[-2000:],
            }
        ) from error


def _pg_dump(path: Path) -> None:
    _run(
        [
            postgres_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={path}",
            connection.settings_dict["NAME"],
        ]
    )


def _pg_restore(path: Path) -> None:
    # Close Django's own session first: nothing of it should hold a lock pg_restore waits on.
    connection.close()
    _run(
        [
            postgres_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ]
    )


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_backup(path: Path) -> None:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    target = sqlite3.connect(str(path))
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (verdict,) = source.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise BackupError(_("Berkas cadangan SQLite rusak: %(verdict)s") % {"verdict": verdict})
        connection.close()
        target = sqlite3.connect(str(connection.settings_dict["NAME"]))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
