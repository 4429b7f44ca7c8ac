"""Who is signed in: the account with its roles and where its holder lives, read from the
database once and then kept in the cache (Redis when REDIS_URL is set) for every later request.

Every page asks these questions before it does anything else; answered from the database they
cost four statements per request. A change to the account, a role, a profile or a region drops
the cached answer (signals in accounts/apps.py); a change made in bulk (the roster import) moves
the whole family on. Permission checks on writes still read the roles from here: a role revoked
is forgotten in the same transaction, and again after it commits (core.cache.forget)."""

from dataclasses import dataclass

from peken.accounts.models import AsnProfile, User, WargaProfile
from peken.core.cache import (
    ACCOUNTS,
    PER_PERSON_KEYS,
    common_keys,
    forget,
    generation,
    read_many,
    write,
)

KEPT_SECONDS = 600


@dataclass(frozen=True)
class Home:
    """Where a buyer lives, as the listings need it."""

    kelurahan_code: str | None  # an ASN's domicile, else a warga's kelurahan
    asn_kelurahan_id: int | None  # None for an ASN living outside the city
    asn_kecamatan_id: int | None
    lat: float
    lon: float
    is_active_asn: bool


def _key(what: str, user_id: int) -> str:
    return f"{what}:{user_id}"


def account_forget(user_id: int) -> None:
    forget(_key("account", user_id))
    forget(_key("home", user_id))


def _kept(what: str, user_id: int, read):
    """The cached answer, or `read()` kept for the next request. One round trip brings the
    account, the home, the generations most pages need and the person's own keys; an answer
    kept before a change in bulk (the ACCOUNTS generation moved on) is read again."""
    keys = [_key("account", user_id), _key("home", user_id)]
    found = read_many(keys + common_keys() + [key(user_id) for key in PER_PERSON_KEYS])
    entry, now = found.get(_key(what, user_id)), generation(ACCOUNTS)
    if entry is None or entry[0] != now:
        entry = (now, read())
        write(_key(what, user_id), entry, KEPT_SECONDS)
    return entry[1]


def signed_in_user(user_id) -> User | None:
    """The account behind a session (with its role grants), or None if it is gone."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    return _kept("account", user_id, lambda: _user_read(user_id))


def home_of(user) -> Home | None:
    """Where this signed-in buyer lives; None for visitors and accounts with no home on file."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _kept("home", user.pk, lambda: _home_read(user))


def _user_read(user_id: int) -> User | None:
    user = User.objects.prefetch_related("role_grants").filter(pk=user_id).first()
    if user is not None:
        user.grants  # noqa: B018 (read now, so the cached copy carries them)
    return user


def _home_read(user: User) -> Home | None:
    asn = (
        AsnProfile.objects.select_related("domicile_kelurahan", "workplace_kecamatan")
        .filter(user=user, is_active=True)
        .first()
    )
    if asn is not None:
        lives = asn.domicile_kelurahan
        place = lives or asn.workplace_kecamatan
        return Home(
            kelurahan_code=lives.code if lives else _warga_kelurahan_code(user),
            asn_kelurahan_id=asn.domicile_kelurahan_id,
            asn_kecamatan_id=lives.kecamatan_id if lives else asn.workplace_kecamatan_id,
            lat=place.lat,
            lon=place.lon,
            is_active_asn=True,
        )
    code = _warga_kelurahan_code(user)
    if code is None:
        return None
    return Home(code, None, None, 0.0, 0.0, is_active_asn=False)


def _warga_kelurahan_code(user: User) -> str | None:
    return WargaProfile.objects.filter(user=user).values_list("kelurahan__code", flat=True).first()
