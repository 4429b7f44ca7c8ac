from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class CatalogConfig(AppConfig):
    name = "peken.catalog"
    label = "catalog"
    verbose_name = "Katalog"

    def ready(self) -> None:
        from peken.catalog.models import Product, ProductPhoto
        from peken.catalog.search_index import triggers_restore

        post_migrate.connect(triggers_restore, dispatch_uid="peken.catalog.search_triggers_restore")
        # Pages kept for a while (a cart) show a product as it is now: any save drops them.
        for model in (Product, ProductPhoto):
            post_save.connect(_product_changed, sender=model, dispatch_uid=f"cat-{model.__name__}")
            post_delete.connect(
                _product_changed, sender=model, dispatch_uid=f"cat-d-{model.__name__}"
            )


def _product_changed(**kwargs) -> None:
    from peken.core.cache import CATALOG, generation_bump

    generation_bump(CATALOG)
