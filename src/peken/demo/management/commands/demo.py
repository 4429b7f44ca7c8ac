from django.core.management.base import BaseCommand, CommandError

from peken.demo.services import DEMO_LOGINS, DEMO_PASSWORD, DemoRefused, demo_load


class Command(BaseCommand):
    help = "Muat data demo (wilayah Surabaya, OPD, ASN, login demo). Aman dijalankan berulang."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, seed: int, **options):
        try:
            loaded = demo_load(seed=seed)
        except DemoRefused as error:
            raise CommandError(error.message) from error
        self.stdout.write("Data demo dimuat." if loaded else "Data demo sudah ada.")
        self.stdout.write(f"\nLogin demo (kata sandi semuanya: {DEMO_PASSWORD}):")
        for username, description in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {description}")
