from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "peken.quotas"
    label = "quotas"
    verbose_name = "Kuota bulanan toko"
