from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "peken.accounts"
    label = "accounts"
    verbose_name = "Pengguna dan peran"

    def ready(self) -> None:
        # The signed-in account is read from the cache (accounts.signed_in): any change to it,
        # its roles or its profiles, however made, drops the cached copy.
        from peken.accounts import models
        from peken.regions.models import Kecamatan, Kelurahan

        for model in (models.User, models.RoleGrant, models.AsnProfile, models.WargaProfile):
            post_save.connect(_account_changed, sender=model, dispatch_uid=f"acc-{model.__name__}")
            post_delete.connect(
                _account_changed, sender=model, dispatch_uid=f"acc-d-{model.__name__}"
            )
        for model in (Kecamatan, Kelurahan):  # homes carry their region's code and place
            post_save.connect(_regions_changed, sender=model, dispatch_uid=f"acc-{model.__name__}")


def _account_changed(sender, instance, **kwargs) -> None:
    from peken.accounts.models import User
    from peken.accounts.signed_in import account_forget

    user_id = instance.pk if sender is User else instance.user_id
    if user_id is not None:
        account_forget(user_id)


def _regions_changed(**kwargs) -> None:
    from peken.core.cache import ACCOUNTS, generation_bump

    generation_bump(ACCOUNTS)
