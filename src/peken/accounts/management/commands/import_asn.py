import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from peken.accounts.roster import roster_import
from peken.core.commands import read_file_argument, run_import


class Command(BaseCommand):
    help = (
        "Impor daftar ASN dari BKD/BKPSDM (.xlsx atau .csv). Upsert berdasarkan NIP; satu baris "
        "salah berarti tidak ada yang disimpan."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Nonaktifkan ASN yang tidak ada di berkas.",
        )

    def handle(self, *args, file: Path, deactivate_missing: bool, **options):
        data = read_file_argument(file)
        with tqdm(total=1, unit="baris", desc="Impor ASN", file=sys.stderr) as bar:

            def on_progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            result = run_import(
                self,
                roster_import,
                data=data,
                actor="cli",
                deactivate_missing=deactivate_missing,
                on_progress=on_progress,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} baris: {result.created} baru, {result.updated} diubah, "
                f"{result.unchanged} tetap, {result.deactivated} dinonaktifkan."
            )
        )
