"""Optional error reports to Sentry (sentry-sdk), started by the settings when SENTRY_DSN is set.
Imported by the settings: no Django models here."""

import os

from django.core.exceptions import ImproperlyConfigured


def sentry_start(dsn: str) -> None:
    try:
        import sentry_sdk
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'peken[sentry]'."
        ) from error
    sentry_sdk.init(
        dsn=dsn,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        # Performance traces cost requests; errors are what the operator needs first.
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # NIK, phone numbers and addresses stay out of the reports.
        send_default_pii=False,
    )
