from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "peken.payments"
    verbose_name = "Pembayaran"
    default_auto_field = "django.db.models.BigAutoField"
