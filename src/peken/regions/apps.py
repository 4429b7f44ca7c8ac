from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "peken.regions"
    label = "regions"
    verbose_name = "Wilayah"
