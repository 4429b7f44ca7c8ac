from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "peken.merchants"
    label = "merchants"
    verbose_name = "Toko dan UMKM"
