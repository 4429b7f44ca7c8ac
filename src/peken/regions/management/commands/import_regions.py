from pathlib import Path

from django.core.management.base import BaseCommand

from peken.core.commands import read_file_argument, run_import
from peken.regions.services import BUNDLED_REGIONS, regions_import


class Command(BaseCommand):
    help = (
        "Impor kecamatan dan kelurahan dari CSV berformat surabaya_regions.csv "
        "(tanpa FILE: data Surabaya bawaan). Upsert berdasarkan kode."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=BUNDLED_REGIONS)

    def handle(self, *args, file: Path, **options):
        result = run_import(self, regions_import, data=read_file_argument(file), actor="cli")
        self.stdout.write(
            self.style.SUCCESS(
                f"Kecamatan: {result.kecamatan_created} baru, {result.kecamatan_updated} diubah. "
                f"Kelurahan: {result.kelurahan_created} baru, {result.kelurahan_updated} diubah."
            )
        )
