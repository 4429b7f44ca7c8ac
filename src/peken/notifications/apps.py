from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peken.notifications"
    verbose_name = "Notifikasi"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The unread badge is on every page: read with the signed-in account, in one trip.
        from peken.core.cache import PER_PERSON_KEYS
        from peken.notifications.selectors import unread_key

        PER_PERSON_KEYS.append(unread_key)
