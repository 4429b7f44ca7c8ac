from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peken.core"
    label = "core"
    verbose_name = "Inti"
