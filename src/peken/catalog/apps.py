from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "peken.catalog"
    label = "catalog"
    verbose_name = "Katalog"

    def ready(self) -> None:
        from peken.catalog.search_index import triggers_restore

        post_migrate.connect(triggers_restore, dispatch_uid="peken.catalog.search_triggers_restore")
