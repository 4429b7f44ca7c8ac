from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ObligationsConfig(AppConfig):
    name = "peken.obligations"
    label = "obligations"
    verbose_name = "Kewajiban belanja ASN"

    def ready(self) -> None:
        # Cached obligation figures follow any change to what they are computed from, however
        # it is made (back office, command, service).
        from peken.accounts.models import AsnProfile
        from peken.obligations import models
        from peken.policy.models import CityPolicy

        watched = (
            models.ObligationRule,
            models.ObligationOverride,
            models.ObligationExemption,
            models.MonthClose,
            CityPolicy,
            AsnProfile,
        )
        for model in watched:
            post_save.connect(_rules_changed, sender=model, dispatch_uid=f"obl-{model.__name__}")
            post_delete.connect(
                _rules_changed, sender=model, dispatch_uid=f"obl-d-{model.__name__}"
            )


def _rules_changed(**kwargs) -> None:
    from peken.core.cache import OBLIGATION_RULES, generation_bump

    generation_bump(OBLIGATION_RULES)
