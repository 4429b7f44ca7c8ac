from django.core.management.base import BaseCommand, CommandError

from peken.core.errors import DomainError
from peken.core.months import Month
from peken.obligations.services import month_close


class Command(BaseCommand):
    help = "Tutup bulan (YYYY-MM, WIB): bekukan hasil kewajiban belanja setiap ASN. Aman diulang."

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")

    def handle(self, *args, month: str, **options):
        try:
            period = Month.parse(month)
        except ValueError as error:
            raise CommandError("Bulan harus berbentuk YYYY-MM, misalnya 2026-03.") from error
        try:
            closed, count = month_close(month=period, actor="cli")
        except DomainError as error:
            raise CommandError(error.message) from error
        if closed:
            self.stdout.write(self.style.SUCCESS(f"Bulan {period} ditutup: {count} ASN."))
        else:
            self.stdout.write(
                f"Bulan {period} sudah ditutup sebelumnya ({count} ASN); tidak diubah."
            )
