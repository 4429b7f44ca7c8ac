"""Settings, all read from the environment so one build runs anywhere.

Without DATABASE_URL Peken runs on an embedded SQLite file (WAL mode); with it, on PostgreSQL.
"""

import contextlib
import ipaddress
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from peken.core.logs import logging_settings
from peken.core.sentry import sentry_start


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def install_secret_key(data_dir: Path) -> str:
    """A demo install's own random key, made once and kept in its data folder: a key written in
    the source would let anyone forge sessions and the payment simulator's webhooks."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError), open(key_file, "x") as new_file:
            os.chmod(key_file, 0o600)
            new_file.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PEKEN_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY belum diatur. Setel SECRET_KEY (rahasia acak yang panjang) untuk produksi, "
            "atau DEBUG=1 untuk demo di mesin sendiri. / SECRET_KEY is not set: set it for "
            "production, or DEBUG=1 for a local demo."
        )
    SECRET_KEY = install_secret_key(DATA_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "peken.admin_apps.PekenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "peken.core",
    "peken.regions",
    "peken.accounts",
    "peken.merchants",
    "peken.catalog",
    "peken.policy",
    "peken.quotas",
    "peken.ordering",
    "peken.obligations",
    "peken.ledger",
    "peken.payments",
    "peken.payouts",
    "peken.notifications",
    "peken.reports",
    "peken.web",
    # Checks of the rules that must always hold, backup and restore (operators).
    "peken.integrity",
    "peken.simulation",
    "peken.demo",
]

MIDDLEWARE = [
    # First: every log line of a request carries its id; latency is measured around the rest.
    "peken.core.logs.RequestIdMiddleware",
    "peken.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "peken.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Each request remembers what it read from the shared cache (core.cache).
    "peken.core.cache.RequestCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL characters, oversized bodies, broken multipart, 64-bit overflows: a clear 4xx.
    "peken.core.middleware.RequestGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: Peken's 404 page even with DEBUG on (see the class for why).
    "peken.core.error_pages.NotFoundPageMiddleware",
]
CSRF_FAILURE_VIEW = "peken.core.error_pages.csrf_failure"

ROOT_URLCONF = "peken.urls"
WSGI_APPLICATION = "peken.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "peken.web.context_processors.web",
            ],
        },
    },
]


def connection_max_age(argv: list[str]) -> int:
    """Seconds a database connection outlives its request (PEKEN_DB_CONN_MAX_AGE, default 60).

    Worth it under gunicorn, whose fixed workers reuse their connection. Under runserver
    (`make run`) every request has a thread of its own that ends with it, so a kept connection
    is never reused and stays open, idle, until PostgreSQL runs out of slots: close it at once.
    """
    if "runserver" in argv[1:2]:
        return 0
    return int(os.environ.get("PEKEN_DB_CONN_MAX_AGE", "60"))


def database_settings(argv: list[str] = sys.argv) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config = dj_database_url.parse(
            url, conn_max_age=connection_max_age(argv), conn_health_checks=True
        )
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
        elif config["ENGINE"] == "django.db.backends.postgresql":
            config["OPTIONS"] = {**postgresql_options(), **config.get("OPTIONS", {})}
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "peken.sqlite3",
        "OPTIONS": sqlite_options(),
        "TEST": {"NAME": DATA_DIR / "test-peken.sqlite3"},
    }


def postgresql_options() -> dict:
    # Values travel apart from the SQL text, so a statement has the same text on every call and
    # psycopg prepares it from its second use on: PostgreSQL then parses and plans it once per
    # connection instead of every time (a third of the server's CPU per checkout). Behind a
    # pooler in transaction mode (PEKEN_PGBOUNCER=1) a statement prepared on one server
    # connection may be run on another, so nothing is prepared there.
    if env_bool("PEKEN_PGBOUNCER", False):
        return {"server_side_binding": False, "prepare_threshold": None}
    return {"server_side_binding": True, "prepare_threshold": 2}


def sqlite_options() -> dict:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing half-way with "database is locked".
    return {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


# --- Read replica and PgBouncer (issue 14.6; peken.core.db_router) -------------------------
def replica_settings(default: dict) -> dict | None:
    """DATABASE_REPLICA_URL: a streaming replica of the PostgreSQL primary, read only by what
    may lag (dashboard, exports, anonymous search). Same options as the primary; a short connect
    timeout, since a replica that does not answer is skipped for the primary."""
    url = os.environ.get("DATABASE_REPLICA_URL", "").strip()
    if not url:
        return None
    if default["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL hanya untuk DATABASE_URL PostgreSQL. / DATABASE_REPLICA_URL "
            "needs a PostgreSQL DATABASE_URL."
        )
    config = dj_database_url.parse(
        url, conn_max_age=default["CONN_MAX_AGE"], conn_health_checks=True
    )
    config["OPTIONS"] = {**postgresql_options(), "connect_timeout": 2, **config.get("OPTIONS", {})}
    config["DISABLE_SERVER_SIDE_CURSORS"] = default.get("DISABLE_SERVER_SIDE_CURSORS", False)
    # The test run's database is the primary's; the replica is only ever a view of it.
    config["TEST"] = {"MIRROR": "default"}
    return config


def databases_settings(argv: list[str] = sys.argv) -> dict:
    default = database_settings(argv)
    if default["ENGINE"] == "django.db.backends.postgresql" and env_bool("PEKEN_PGBOUNCER", False):
        # Transaction pooling: a named cursor outlives its transaction's server connection.
        default["DISABLE_SERVER_SIDE_CURSORS"] = True
    replica = replica_settings(default)
    return {"default": default, "replica": replica} if replica else {"default": default}


DATABASES = databases_settings()
DATABASE_ROUTERS = ["peken.core.db_router.ReplicaRouter"]
# A replica further behind than this is skipped for the primary; its state is checked at most
# this often per process.
PEKEN_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("PEKEN_REPLICA_MAX_LAG_SECONDS", "10"))
PEKEN_REPLICA_CHECK_SECONDS = float(os.environ.get("PEKEN_REPLICA_CHECK_SECONDS", "5"))
# --- end read replica ------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["peken.accounts.backends.PekenAuthBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "email", "nik", "phone"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/masuk/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# An upload bigger than this is refused before it is read (the roster import has its own limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Peken <noreply@peken.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outgoing mail and text messages go through the outbox (peken.notifications.outbox): written
# with the change, sent by `peken worker`. The worker waits at most EMAIL_TIMEOUT seconds on
# each step of an SMTP conversation, tries a message up to PEKEN_OUTBOX_MAX_ATTEMPTS times (30 s
# apart, doubling, at most an hour: about five hours in all), then shows it as failed in the
# back office; sent and failed messages are forgotten after PEKEN_OUTBOX_KEEP_DAYS.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
PEKEN_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("PEKEN_OUTBOX_MAX_ATTEMPTS", "12"))
PEKEN_OUTBOX_KEEP_DAYS = int(os.environ.get("PEKEN_OUTBOX_KEEP_DAYS", "30"))

# Shared by every worker when REDIS_URL is set (login counters, sessions, shared page figures);
# otherwise each process keeps its own, which is right for the demo on one machine.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several installations may share one Redis, each under its own prefix.
            "KEY_PREFIX": os.environ.get("PEKEN_CACHE_KEY_PREFIX", "peken"),
            # A Redis that stops answering fails a request in seconds, not at the proxy's timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if REDIS_URL:
    # Each process's own copy of what is kept under a generation (pages, listings): such a value
    # never changes, so the shared cache is asked once per process (core.cache.kept_get).
    CACHES["near"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
# Sessions read from the cache, written through to the database: no query per request for them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a page of search results or the shops near a buyer's home is reused; a shop that
# reaches its cap drops every cached listing at once (peken.core.cache generations).
PEKEN_LISTING_CACHE_SECONDS = float(os.environ.get("PEKEN_LISTING_CACHE_SECONDS", "15"))

# Production-safe defaults: everything below tightens itself when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload flag only makes the site eligible for the browsers' built-in HTTPS list; nothing
# happens unless the domain's owner submits it (`peken check --deploy` asks for it).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login throttling: failures counted per account and per client address.
PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("PEKEN_LOGIN_MAX_FAILURES", "10"))
PEKEN_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("PEKEN_LOGIN_MAX_FAILURES_PER_IP", "50"))
PEKEN_LOGIN_LOCK_MINUTES = int(os.environ.get("PEKEN_LOGIN_LOCK_MINUTES", "15"))
# Public sign-ups allowed from one client address per PEKEN_LOGIN_LOCK_MINUTES window.
PEKEN_SIGN_UP_MAX_PER_IP = int(os.environ.get("PEKEN_SIGN_UP_MAX_PER_IP", "10"))
# Text messages (password codes): a class with send(phone, text); see peken.accounts.sms.
PEKEN_SMS_BACKEND = os.environ.get("PEKEN_SMS_BACKEND", "peken.accounts.sms.ConsoleBackend")
PEKEN_SMS_FILE_PATH = os.environ.get("PEKEN_SMS_FILE_PATH", str(DATA_DIR / "sms.log"))
# A password code lives this many minutes; an address may ask for this many per lock window.
PEKEN_PASSWORD_CODE_MINUTES = int(os.environ.get("PEKEN_PASSWORD_CODE_MINUTES", "15"))
PEKEN_PASSWORD_CODE_REQUESTS_PER_IP = int(
    os.environ.get("PEKEN_PASSWORD_CODE_REQUESTS_PER_IP", "10")
)
# A bearer token unused this many days stops working (401 token_expired); each use extends it.
PEKEN_API_TOKEN_IDLE_DAYS = int(os.environ.get("PEKEN_API_TOKEN_IDLE_DAYS", "30"))
# An order sent out (or ready for pickup) that its buyer neither confirms nor complains about
# completes by itself after this many hours (the worker's orders_complete_unconfirmed), so the
# shop is paid even by a buyer who forgets. 72: a weekend offline still leaves the buyer a
# working day, and after completion they have the 3-day complaint window besides.
PEKEN_ORDER_AUTO_COMPLETE_HOURS = int(os.environ.get("PEKEN_ORDER_AUTO_COMPLETE_HOURS", "72"))
if PEKEN_ORDER_AUTO_COMPLETE_HOURS < 1:
    raise ImproperlyConfigured("PEKEN_ORDER_AUTO_COMPLETE_HOURS must be 1 or more")

# What each order step sets off (money, roll-ups, notifications): one table, wired at the top.
PEKEN_ORDER_STEP_HANDLERS = "peken.order_steps.HANDLERS"
# Addresses or networks of the reverse proxies in front of Peken (comma separated, e.g.
# "127.0.0.1,10.0.0.0/8"). Only their X-Forwarded-For entries are believed; empty: REMOTE_ADDR.
PEKEN_TRUSTED_PROXIES = [
    proxy.strip()
    for proxy in os.environ.get("PEKEN_TRUSTED_PROXIES", "").split(",")
    if proxy.strip()
]
for _proxy in PEKEN_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:  # refuse to start rather than fail at every login
        raise ImproperlyConfigured(f"PEKEN_TRUSTED_PROXIES: {_error}") from _error

# The roster import refuses files above this size before reading them.
PEKEN_ROSTER_MAX_BYTES = int(os.environ.get("PEKEN_ROSTER_MAX_BYTES", str(20 * 1024 * 1024)))

# Payments: the built-in simulator unless a real gateway is configured. The simulator keeps its
# charges in our database, so the web processes and the worker agree on them.
PEKEN_PAYMENT_GATEWAY = os.environ.get("PEKEN_PAYMENT_GATEWAY", "simulator")
# The simulator marks payments paid without money, so it exists only when switched on (on by
# default in the DEBUG demo): off, its pay button, simulate API and webhook are 404 and charges
# with it are refused (503 gateway_not_configured) until a real gateway is configured.
PEKEN_PAYMENT_SIMULATOR = env_bool("PEKEN_PAYMENT_SIMULATOR", DEBUG)
PEKEN_SIMULATOR_STORE = "peken.payments.simulator_store.DatabaseStore"
PEKEN_SIMULATOR_SECRET = os.environ.get("PEKEN_SIMULATOR_SECRET", "")
PEKEN_MIDTRANS_SERVER_KEY = os.environ.get("PEKEN_MIDTRANS_SERVER_KEY", "")
PEKEN_MIDTRANS_BASE_URL = os.environ.get(
    "PEKEN_MIDTRANS_BASE_URL", "https://api.sandbox.midtrans.com"
)

# --- Operations: probes, metrics, logs, Sentry (README, "Running in production") -------------
# The probes and metrics answer plain HTTP from the proxy or the scraper, without a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$", r"^sehat/$"]
# /metrics answers a bearer token or a listed network (comma-separated addresses or CIDRs, the
# client's address as PEKEN_TRUSTED_PROXIES resolve it); with neither, no one.
PEKEN_METRICS_TOKEN = os.environ.get("PEKEN_METRICS_TOKEN", "")
PEKEN_METRICS_ALLOWED_NETWORKS = env_list("PEKEN_METRICS_ALLOWED_NETWORKS", "")
for _network in PEKEN_METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"PEKEN_METRICS_ALLOWED_NETWORKS: {_error}") from _error
# One JSON object per line for a log collector (the default in production), or text (the demo).
PEKEN_LOG_FORMAT = os.environ.get("PEKEN_LOG_FORMAT", "text" if DEBUG else "json").lower()
try:
    LOGGING = logging_settings(
        log_format=PEKEN_LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO")
    )
except ValueError as _error:
    raise ImproperlyConfigured(str(_error)) from _error
# Errors to Sentry when SENTRY_DSN is set (needs `pip install 'peken[sentry]'`).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    sentry_start(SENTRY_DSN)
