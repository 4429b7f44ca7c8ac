from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peken.reports"
    label = "reports"
    verbose_name = "Laporan kota"
