from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "peken.ordering"
    label = "ordering"
    verbose_name = "Pesanan"
