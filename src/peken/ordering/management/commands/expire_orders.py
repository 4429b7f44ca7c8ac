from django.core.management.base import BaseCommand

from peken.ordering.services import orders_expire


class Command(BaseCommand):
    help = "Batalkan pesanan yang lewat batas bayar atau tidak diterima toko tepat waktu (sekali)."

    def handle(self, *args, **options):
        self.stdout.write(f"{orders_expire()} pesanan dibatalkan.")
