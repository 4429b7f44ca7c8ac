from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "peken.policy"
    label = "policy"
    verbose_name = "Kebijakan kota"
