"""How API requests authenticate: a bearer token (mobile) or the web session."""

import datetime as dt
import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, django_auth

from peken.accounts.models import ApiToken, User
from peken.accounts.services import TOKEN_PREFIX, TOKEN_TOUCH_INTERVAL, token_hash
from peken.core.errors import NotAuthenticated


class TokenExpired(NotAuthenticated):
    code = "token_expired"
    default_message = _("Sesi aplikasi sudah berakhir. Silakan masuk lagi.")


TOKEN_FIELDS = ("id", "user_id", "created_at", "last_used_at")
USER_FIELDS = tuple(field.attname for field in User._meta.concrete_fields)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = token_of_request(token)
        if found is None:
            return None
        request.user, request.api_token = found
        return request.user


def token_of_request(raw: str) -> tuple[User, ApiToken] | None:
    """The active user of a live token, with the token (its id, user and last use loaded).

    One statement compiled once: every API request runs it, and as a queryset it cost 0.8 ms
    of CPU a request, mostly Django building its SQL again; compiled, the lookup costs about
    0.1 ms, running it included."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    database = connections[DEFAULT_DB_ALIAS]
    sql, fixed, converters = _token_statement(database.vendor)
    with database.cursor() as cursor:
        cursor.execute(sql, [*fixed, token_hash(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            row[position] = function(row[position], expression, database)
    token = ApiToken.from_db(DEFAULT_DB_ALIAS, TOKEN_FIELDS, row[: len(TOKEN_FIELDS)])
    token.user = User.from_db(DEFAULT_DB_ALIAS, USER_FIELDS, row[len(TOKEN_FIELDS) :])
    now = timezone.now()
    # Sliding expiry: a token unused for PEKEN_API_TOKEN_IDLE_DAYS is dead, so a lost phone's
    # token does not stay good for ever. Use within the period keeps it alive.
    last_seen = token.last_used_at or token.created_at
    if now - last_seen > dt.timedelta(days=settings.PEKEN_API_TOKEN_IDLE_DAYS):
        raise TokenExpired()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


@functools.cache
def _token_statement(vendor: str) -> tuple[str, tuple, list]:
    """The SQL of the lookup, its fixed values (the hash is the last value, given each time), and
    the converters Django applies to the columns (dates kept as text on SQLite)."""
    placeholder = "-"  # no token hashes to this
    queryset = (
        ApiToken.objects.filter(revoked_at__isnull=True, user__is_active=True)
        .filter(key_hash=placeholder)
        .values_list(*TOKEN_FIELDS, *(f"user__{name}" for name in USER_FIELDS))
    )
    compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS)
    sql, values = compiler.as_sql()
    if values[-1] != placeholder:
        raise RuntimeError(f"the token hash is not the last value of: {sql}")
    columns = [column for column, _, _ in compiler.select]
    return sql, tuple(values[:-1]), list(compiler.get_converters(columns).items())


def anyone(request):
    """Lets a visitor through; for pages that everyone sees but an ASN sees their own way."""
    return True


SIGNED_IN = [BearerToken(), django_auth]
OPTIONAL = [BearerToken(), django_auth, anyone]
