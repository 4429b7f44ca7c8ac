from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "peken.payouts"
    verbose_name = "Pencairan dan rekonsiliasi"
    default_auto_field = "django.db.models.BigAutoField"
