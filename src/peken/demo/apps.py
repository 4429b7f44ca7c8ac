from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "peken.demo"
    label = "demo"
    verbose_name = "Data demo"
