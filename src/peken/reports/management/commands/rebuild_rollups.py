from django.core.management.base import BaseCommand, CommandError

from peken.core.months import Month
from peken.reports.services import months_with_orders, rollups_check, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Hitung ulang ringkasan laporan kota (roll-up) sebulan (YYYY-MM, WIB) dari pesanannya. "
        "--check hanya membandingkan; --all semua bulan yang punya pesanan (setelah pemutakhiran)."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="YYYY-MM")
        parser.add_argument(
            "--all", dest="every", action="store_true", help="semua bulan yang punya pesanan"
        )
        parser.add_argument(
            "--check", action="store_true", help="hanya bandingkan, jangan ubah; gagal bila beda"
        )

    def handle(self, *args, month: str | None, every: bool, check: bool, **options):
        months = self._months(month, every)
        differences = 0
        for period in months:
            if check:
                found = rollups_check(period)
                differences += len(found)
                for line in found[:20]:
                    self.stdout.write(f"{period}: {line}")
                self.stdout.write(f"Bulan {period}: {len(found)} perbedaan.")
            else:
                summary = rollups_rebuild(period)
                rows = ", ".join(f"{table} {count}" for table, count in summary.rows.items())
                self.stdout.write(self.style.SUCCESS(f"Bulan {period} dihitung ulang: {rows}."))
        if differences:
            raise CommandError(f"{differences} baris ringkasan berbeda dari hitungan ulang.")

    def _months(self, month: str | None, every: bool) -> list[Month]:
        if every:
            return months_with_orders()
        if not month:
            raise CommandError("Sebutkan bulan (YYYY-MM) atau --all.")
        try:
            return [Month.parse(month)]
        except ValueError as error:
            raise CommandError("Bulan harus berbentuk YYYY-MM, misalnya 2026-03.") from error
