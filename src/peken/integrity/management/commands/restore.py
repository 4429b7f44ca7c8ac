from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from peken.integrity.backups import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Pulihkan cadangan `peken backup` ke basis data KOSONG (DATABASE_URL; basis data yang "
        "sudah berisi ditolak), lalu periksa aturan-aturannya (check-invariants)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="berkas cadangan")
        parser.add_argument(
            "--no-check",
            dest="check",
            action="store_false",
            help="jangan jalankan check-invariants sesudahnya",
        )

    def handle(self, *args, backup: Path, check: bool, **options):
        try:
            database_restore(path=backup)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Cadangan {backup} dipulihkan."))
        if check:
            call_command("check_invariants", stdout=self.stdout, stderr=self.stderr)
