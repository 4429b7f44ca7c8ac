from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peken.core.money import format_thousands
from peken.integrity.backups import BackupError, database_backup, default_backup_path


class Command(BaseCommand):
    help = (
        "Cadangkan seluruh basis data ke satu berkas: PostgreSQL dengan pg_dump (format custom), "
        "SQLite dengan API backup sqlite3. Aman selagi Peken melayani. Berkas foto (MEDIA_ROOT) "
        "disalin terpisah."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            type=Path,
            help="berkas tujuan (bawaan: PEKEN_DATA_DIR/backups/peken-<waktu UTC>.dump|.sqlite3)",
        )

    def handle(self, *args, output: Path | None, **options):
        try:
            done = database_backup(path=output or default_backup_path())
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Cadangan {done.vendor} tersimpan: {done.path} ")
            + f"({format_thousands(done.size)} bita)"
        )
