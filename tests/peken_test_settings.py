"""Settings for the test suite: production settings (DEBUG off) with a fixed secret, plain HTTP,
a fast password hasher (Argon2 itself is checked in test_auth) and the payment simulator on."""

import os

os.environ.setdefault("SECRET_KEY", "peken-tests-only-secret")
os.environ["DEBUG"] = "0"  # whatever the caller exported: tests run as production

from peken.settings import *  # noqa: E402,F403
from peken.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
SECURE_SSL_REDIRECT = False
# Listings are computed afresh in every test; tests of the listing cache turn it on themselves.
PEKEN_LISTING_CACHE_SECONDS = 0
# Each test's cache is its own (conftest clears it): REDIS_URL exported by a shell is ignored.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Production otherwise, but the tests pay with the simulator (tests/payments/
# test_simulator_switch.py checks it switched off).
PEKEN_PAYMENT_SIMULATOR = True
# One access line per request (peken.access) would bury a failing test's own log lines.
LOGGING["loggers"]["peken.access"] = {"level": "WARNING"}  # noqa: F405
# The suite runs on one database whatever the shell exports; the read replica is tested against
# a real primary/replica pair (tests/replica).
DATABASES.pop("replica", None)  # noqa: F405
