from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "peken.integrity"
    verbose_name = "Keutuhan data"
