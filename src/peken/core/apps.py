from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peken.core"
    label = "core"
    verbose_name = "Inti"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from peken.core import rule_errors

        # Pure rules cannot import Django: their refusals are translated when read (str()).
        rule_errors.translate_with(gettext)
