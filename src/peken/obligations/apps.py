from django.apps import AppConfig


class ObligationsConfig(AppConfig):
    name = "peken.obligations"
    label = "obligations"
    verbose_name = "Kewajiban belanja ASN"
