from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peken.accounts"
    label = "accounts"
    verbose_name = "Pengguna dan peran"
