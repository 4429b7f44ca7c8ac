from pathlib import Path

from django.core.management.base import BaseCommand

from peken.accounts.services import opd_import
from peken.core.commands import read_file_argument, run_import


class Command(BaseCommand):
    help = (
        "Impor daftar OPD (kolom: kode, nama, jenis) dari .xlsx atau .csv. Upsert berdasarkan kode."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        result = run_import(self, opd_import, data=read_file_argument(file), actor="cli")
        self.stdout.write(
            self.style.SUCCESS(f"OPD: {result.created} baru, {result.updated} diubah.")
        )
