from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PolicyConfig(AppConfig):
    name = "peken.policy"
    label = "policy"
    verbose_name = "Kebijakan kota"

    def ready(self) -> None:
        # Pages read the policy from the cache (policy_shown): any change, however made, drops it.
        from peken.policy.models import CityPolicy

        post_save.connect(_policy_changed, sender=CityPolicy, dispatch_uid="policy-shown")
        post_delete.connect(_policy_changed, sender=CityPolicy, dispatch_uid="policy-shown-d")


def _policy_changed(**kwargs) -> None:
    from peken.core.cache import POLICY, generation_bump

    generation_bump(POLICY)
