from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages people use on their phones: buyers, shop owners, officers, OPD admins."""

    name = "peken.web"
    verbose_name = "Aplikasi web"
