from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "peken.catalog"
    label = "catalog"
    verbose_name = "Katalog"
