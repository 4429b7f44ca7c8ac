"""Writes on people, roles and logins. Services own their transaction and write the audit log."""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peken.accounts import permissions, rules
from peken.accounts.backends import find_user
from peken.accounts.models import (
    OPD,
    ApiToken,
    LoginThrottle,
    PasswordCode,
    Role,
    RoleGrant,
    User,
    WargaProfile,
)
from peken.core.audit import audit_import, audit_record, changed_fields, snapshot
from peken.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied, TooManyRequests
from peken.core.tabular import ImportProblem, ImportRejected, read_table, require_columns
from peken.notifications.models import OutboxMessage
from peken.notifications.outbox import outbox_enqueue
from peken.regions.models import Kecamatan, Kelurahan

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "pkn_"
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 401
    default_message = gettext_lazy("Nama pengguna atau kata sandi salah.")


class LoginLocked(TooManyRequests):
    code = "login_locked"
    default_message = gettext_lazy("Terlalu banyak percobaan masuk yang gagal. Coba lagi nanti.")


class WeakPassword(InvalidInput):
    code = "weak_password"
    default_message = gettext_lazy("Kata sandi terlalu lemah.")


def password_check(password: str, *, user: User) -> None:
    """Django's password validators (length, common, numeric, like the name), as WeakPassword."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise WeakPassword(" ".join(error.messages), field="password") from error


class SignUpThrottled(TooManyRequests):
    code = "sign_up_throttled"
    default_message = gettext_lazy("Terlalu banyak pendaftaran dari alamat ini. Coba lagi nanti.")


class IdentityTaken(Conflict):
    code = "identity_taken"
    default_message = gettext_lazy("NIK, nomor HP atau nama pengguna sudah dipakai akun lain.")


# --- logging in -------------------------------------------------------------------------------


def login_check(*, identifier: str, password: str, ip_address: str, request=None) -> User:
    """The user behind identifier and password, counting failures per account and per address.

    A busy address (the whole city behind one HTTPS proxy) that passes its failure limit is
    not shut out: it only loses the right to keep guessing at accounts it has already failed
    on. A correct password for an account with no failure from that address still works, so
    an attacker behind the city's proxy cannot lock everyone out, while spraying guesses over
    many accounts from one address gets one guess per account per window.
    """
    now = timezone.now()
    account = find_user(identifier)
    account_key = f"user:{account.pk}" if account else f"name:{identifier.strip().lower()}"
    address = ip_address or "unknown"
    keys = [
        (LoginThrottle.Scope.ACCOUNT, account_key),
        (LoginThrottle.Scope.IP, address),
        (LoginThrottle.Scope.IP_ACCOUNT, f"{address}|{account_key}"),
    ]
    _refuse_if_locked(keys, now)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        locked_until = _record_failure(keys, now)
        if locked_until is not None:
            logger.warning("login locked: %s from %s", account_key, ip_address)
            raise _locked_error(locked_until, now)
        raise InvalidCredentials()
    _forget_failures(keys)
    return user


def _forget_failures(keys) -> None:
    for scope, key in keys:
        if scope != LoginThrottle.Scope.IP:
            LoginThrottle.objects.filter(scope=scope, key=key[:150]).delete()


def _refuse_if_locked(keys, now: dt.datetime) -> None:
    """Refuses while the account is locked, or the address is and has failed on this account."""
    (account_scope, account_key), (ip_scope, ip_key), (pair_scope, pair_key) = keys
    throttles = {
        (throttle.scope, throttle.key): throttle
        for throttle in LoginThrottle.objects.filter(
            scope__in=[account_scope, ip_scope, pair_scope],
            key__in=[account_key[:150], ip_key[:150], pair_key[:150]],
        )
    }
    account = throttles.get((account_scope, account_key[:150]))
    if account is not None and account.locked_until and account.locked_until > now:
        raise _locked_error(account.locked_until, now)
    address = throttles.get((ip_scope, ip_key[:150]))
    pair = throttles.get((pair_scope, pair_key[:150]))
    window = dt.timedelta(minutes=settings.PEKEN_LOGIN_LOCK_MINUTES)
    pair_failed_recently = pair is not None and now - pair.window_started_at <= window
    address_locked = address is not None and address.locked_until and address.locked_until > now
    if address_locked and pair_failed_recently:
        raise _locked_error(address.locked_until, now)


def _locked_error(locked_until: dt.datetime, now: dt.datetime) -> LoginLocked:
    seconds = max(1, int((locked_until - now).total_seconds()))
    minutes = (seconds + 59) // 60
    return LoginLocked(
        ngettext(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.",
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)s menit.",
            minutes,
        )
        % {"minutes": minutes},
        retry_after=seconds,
    )


def _record_failure(keys, now: dt.datetime) -> dt.datetime | None:
    limits = {
        LoginThrottle.Scope.ACCOUNT: settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT,
        LoginThrottle.Scope.IP: settings.PEKEN_LOGIN_MAX_FAILURES_PER_IP,
        # The pair only remembers that this address failed on this account; it never locks alone.
        LoginThrottle.Scope.IP_ACCOUNT: settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT,
    }
    locked = None
    with transaction.atomic():
        for scope, key in keys:
            throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
                scope=scope, key=key[:150], defaults={"window_started_at": now}
            )
            failures, started, locked_until = rules.lock_state(
                failures=throttle.failures,
                window_started_at=throttle.window_started_at,
                now=now,
                max_failures=limits[scope],
                lock_minutes=settings.PEKEN_LOGIN_LOCK_MINUTES,
            )
            throttle.failures, throttle.window_started_at = failures, started
            throttle.locked_until = locked_until or throttle.locked_until
            throttle.save()
            locked = locked or locked_until
    return locked


# --- API tokens -------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough: no dictionary to guess from.
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, name: str = "") -> str:
    """A new bearer token for the user; the clear text exists only in the return value."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=token_hash(raw), prefix=raw[:8], name=name[:100])
    return raw


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_revoke_all(*, user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- roles ------------------------------------------------------------------------------------


def role_grant(
    *,
    actor: User | str | None,
    user: User,
    role: str,
    kelurahan: Kelurahan | None = None,
    kecamatan: Kecamatan | None = None,
    opd: OPD | None = None,
) -> RoleGrant:
    """Gives a role with its scope. Only who `may_grant_roles` (or the command line) may."""
    if isinstance(actor, User) and not permissions.may_grant_roles(actor):
        raise PermissionDenied()
    _check_scope(role, kelurahan, kecamatan, opd)
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(
                user=user, role=role, kelurahan=kelurahan, kecamatan=kecamatan, opd=opd
            )
            audit_record(actor=actor, action="role.grant", target=user, after=snapshot(grant))
    except IntegrityError as error:
        raise Conflict(_("Pengguna sudah memegang peran ini.")) from error
    user.__dict__.pop("_grants_cache", None)
    return grant


def _check_scope(role, kelurahan, kecamatan, opd) -> None:
    if role not in Role.values:
        raise InvalidInput(_("Peran '%(role)s' tidak dikenal.") % {"role": role})
    if role == Role.OFFICER and (kelurahan is None) == (kecamatan is None):
        raise InvalidInput(_("Petugas harus diberi tepat satu wilayah: kelurahan atau kecamatan."))
    if role == Role.OPD_ADMIN and opd is None:
        raise InvalidInput(_("Admin OPD harus diberi satu OPD."))
    if role != Role.OFFICER and (kelurahan or kecamatan):
        raise InvalidInput(_("Hanya petugas yang diberi wilayah."))
    if role != Role.OPD_ADMIN and opd:
        raise InvalidInput(_("Hanya admin OPD yang diberi OPD."))


def role_revoke(*, actor: User | str | None, grant: RoleGrant) -> None:
    if isinstance(actor, User) and not permissions.may_grant_roles(actor):
        raise PermissionDenied()
    with transaction.atomic():
        audit_record(actor=actor, action="role.revoke", target=grant.user, before=snapshot(grant))
        grant.delete()


# --- warga ------------------------------------------------------------------------------------


def _kelurahan_by_code(code: str) -> Kelurahan:
    kelurahan = Kelurahan.objects.select_related("kecamatan").filter(code=code).first()
    if kelurahan is None:
        raise InvalidInput(
            _("Kelurahan dengan kode '%(code)s' tidak dikenal.") % {"code": code},
            field="kelurahan",
        )
    return kelurahan


def _checked_identity(*, nik: str, phone: str) -> tuple[str, str]:
    try:
        return rules.check_nik(nik, today=timezone.localdate()), rules.normalize_phone(phone)
    except rules.IdentityError as error:
        raise InvalidInput(str(error)) from error


def warga_register(
    *,
    actor: User | None,
    username: str | None,
    password: str | None,
    full_name: str,
    nik: str,
    phone: str,
    kelurahan_code: str,
    address: str = "",
    ip_address: str = "",
) -> User:
    """A public buyer signs up, or an officer registers one in their own area.

    Public sign-ups are counted per client address, since each refusal ("NIK already used")
    tells a little about who has an account: the count caps how fast anyone can ask.

    Without a username one is made up: never from the NIK or phone, which usernames would leak.
    They log in with their NIK or phone instead.
    """
    if actor is None:
        _count_sign_up(ip_address)
    nik, phone = _checked_identity(nik=nik, phone=phone)
    kelurahan = _kelurahan_by_code(kelurahan_code)
    if actor is not None:
        permissions.require_area(actor, kelurahan)
    if not full_name.strip():
        raise InvalidInput(_("Nama lengkap wajib diisi."), field="full_name")
    try:
        with transaction.atomic():
            username = username or f"warga-{secrets.token_hex(4)}"
            user = User(username=username, full_name=full_name.strip(), nik=nik, phone=phone)
            if password:
                password_check(password, user=user)
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            profile = WargaProfile.objects.create(user=user, kelurahan=kelurahan, address=address)
            RoleGrant.objects.create(user=user, role=Role.WARGA)
            if actor is not None:
                audit_record(
                    actor=actor,
                    action="warga.register",
                    target=user,
                    after={
                        **snapshot(user, ["username", "full_name", "nik", "phone"]),
                        **snapshot(profile, ["kelurahan", "address"]),
                    },
                )
    except IntegrityError as error:
        raise IdentityTaken() from error
    return user


def _count_sign_up(ip_address: str) -> None:
    _count_from_address(
        LoginThrottle.Scope.SIGN_UP, ip_address, settings.PEKEN_SIGN_UP_MAX_PER_IP, SignUpThrottled
    )


def _count_from_address(scope: str, ip_address: str, limit: int, refusal: type) -> None:
    """Counts one request from the address; past `limit` in the window, raises `refusal`."""
    now = timezone.now()
    key = (ip_address or "unknown")[:150]
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"window_started_at": now}
        )
        if throttle.locked_until and throttle.locked_until > now:
            seconds = max(1, int((throttle.locked_until - now).total_seconds()))
            raise refusal(retry_after=seconds)
        throttle.failures, throttle.window_started_at, locked_until = rules.lock_state(
            failures=throttle.failures,
            window_started_at=throttle.window_started_at,
            now=now,
            # One more than the limit: the limit-th request itself still goes through.
            max_failures=limit + 1,
            lock_minutes=settings.PEKEN_LOGIN_LOCK_MINUTES,
        )
        throttle.locked_until = locked_until
        throttle.save()
    if locked_until is not None:
        raise refusal(retry_after=int((locked_until - now).total_seconds()))


def warga_update(
    *,
    actor: User,
    profile: WargaProfile,
    full_name: str | None = None,
    phone: str | None = None,
    kelurahan_code: str | None = None,
    address: str | None = None,
) -> WargaProfile:
    """An officer corrects a warga of their area (and may move them only into their area)."""
    permissions.require_area(actor, profile.kelurahan)
    user = profile.user
    before = {
        **snapshot(user, ["full_name", "phone"]),
        **snapshot(profile, ["kelurahan", "address"]),
    }
    if kelurahan_code is not None:
        kelurahan = _kelurahan_by_code(kelurahan_code)
        permissions.require_area(actor, kelurahan)
        profile.kelurahan = kelurahan
    if phone is not None:
        try:
            user.phone = rules.normalize_phone(phone)
        except rules.IdentityError as error:
            raise InvalidInput(str(error), field="phone") from error
    if full_name is not None:
        if not full_name.strip():
            raise InvalidInput(_("Nama lengkap wajib diisi."), field="full_name")
        user.full_name = full_name.strip()
    if address is not None:
        profile.address = address
    after = {
        **snapshot(user, ["full_name", "phone"]),
        **snapshot(profile, ["kelurahan", "address"]),
    }
    with transaction.atomic():
        user.save(update_fields=["full_name", "phone"])
        profile.save()
        audit_record(
            actor=actor,
            action="warga.update",
            target=user,
            before={key: before[key] for key in changed_fields(before, after)},
            after=changed_fields(before, after),
        )
    return profile


# --- OPD list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpdImportResult:
    created: int
    updated: int


OPD_COLUMN_ALIASES = {
    "code": "kode",
    "kode_opd": "kode",
    "name": "nama",
    "nama_opd": "nama",
    "kind": "jenis",
}


def opd_import(*, data: bytes, actor) -> OpdImportResult:
    """Upserts OPDs by code from a table with kode, nama, jenis; any bad line → nothing written."""
    table = read_table(data, max_bytes=settings.PEKEN_ROSTER_MAX_BYTES)
    require_columns(table, ("kode", "nama", "jenis"), OPD_COLUMN_ALIASES)
    kinds = {value: value for value in OPD.Kind.values}
    kinds.update({label.lower(): value for value, label in OPD.Kind.choices})
    problems, wanted, first_line = list(table.problems), {}, {}
    for line, row in table.rows:
        code, name, kind = (
            row["kode"],
            " ".join(row["nama"].split()),
            kinds.get(row["jenis"].lower()),
        )
        if not code or len(code) > 20:
            problems.append(
                ImportProblem(line, "kode", _("Kode OPD wajib diisi, paling panjang 20."))
            )
        elif first_line.setdefault(code, line) != line:
            problems.append(
                ImportProblem(
                    line,
                    "kode",
                    _("Kode '%(code)s' sudah ada di baris %(line)s.")
                    % {"code": code, "line": first_line[code]},
                )
            )
        if not name:
            problems.append(ImportProblem(line, "nama", _("Nama OPD wajib diisi.")))
        if kind is None:
            problems.append(
                ImportProblem(
                    line,
                    "jenis",
                    _("Jenis '%(kind)s' tidak dikenal (%(kinds)s).")
                    % {"kind": row["jenis"], "kinds": ", ".join(OPD.Kind.values)},
                )
            )
        wanted[code] = (name, kind)
    if problems:
        raise ImportRejected(problems)
    with transaction.atomic():
        existing = {opd.code: opd for opd in OPD.objects.filter(code__in=wanted)}
        created = updated = 0
        for code, (name, kind) in wanted.items():
            opd = existing.get(code)
            if opd is None:
                OPD.objects.create(code=code, name=name, kind=kind)
                created += 1
            elif (opd.name, opd.kind, opd.is_active) != (name, kind, True):
                opd.name, opd.kind, opd.is_active = name, kind, True
                opd.save()
                updated += 1
        result = OpdImportResult(created, updated)
        audit_import(
            actor=actor,
            action="opd.import",
            target_type="accounts.OPD",
            summary=f"{len(wanted)} OPD",
            result=result,
        )
    return result


# --- first password and reset by a code ------------------------------------------------------


class CodeRequestsThrottled(TooManyRequests):
    code = "code_requests_throttled"
    default_message = gettext_lazy(
        "Terlalu banyak permintaan kode dari alamat ini. Coba lagi nanti."
    )


class InvalidCode(DomainError):
    code = "invalid_code"
    http_status = 422
    default_message = gettext_lazy("Kode salah atau sudah tidak berlaku. Minta kode baru.")


PASSWORD_CODE_WRONG_TRIES = 5


def _code_hash(user: User, code: str) -> str:
    # Keyed with the secret key and bound to the person: a leaked table row is no code.
    message = f"{user.pk}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def password_code_request(*, identifier: str, ip_address: str) -> None:
    """Sends a code to set a password to the account's e-mail, else its phone, after commit.

    Says nothing either way: the same answer whether or not the account exists or has a
    contact, so the page cannot be used to find out who has an account.
    """
    _count_from_address(
        LoginThrottle.Scope.CODE,
        ip_address,
        settings.PEKEN_PASSWORD_CODE_REQUESTS_PER_IP,
        CodeRequestsThrottled,
    )
    user = find_user(identifier) or _user_by_email(identifier)
    if user is None or not user.is_active or not (user.email or user.phone):
        return
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    channel = PasswordCode.Channel.EMAIL if user.email else PasswordCode.Channel.SMS
    expires_at = now + dt.timedelta(minutes=settings.PEKEN_PASSWORD_CODE_MINUTES)
    with transaction.atomic():
        # A new code replaces any open one, so only the latest message works.
        PasswordCode.objects.filter(user=user, spent_at__isnull=True).update(spent_at=now)
        PasswordCode.objects.create(
            user=user, code_hash=_code_hash(user, code), channel=channel, expires_at=expires_at
        )
        _send_code(user, channel, code, expires_at)


def _user_by_email(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if "@" not in identifier:
        return None
    matches = list(User.objects.filter(email__iexact=identifier)[:2])
    return matches[0] if len(matches) == 1 else None


def _send_code(user: User, channel: str, code: str, expires_at: dt.datetime) -> None:
    """Through the outbox, like every message, though the person is waiting for it: sent in the
    request, a dead mail server would hold the page for the mail timeout, and the page's time
    would tell an account that exists (mail sent) from one that does not (nothing to send)."""
    minutes = settings.PEKEN_PASSWORD_CODE_MINUTES
    text = _(
        "Kode Peken Anda: %(code)s. Berlaku %(minutes)s menit. Jangan berikan kode ini kepada "
        "siapa pun, termasuk petugas."
    ) % {"code": code, "minutes": minutes}
    is_mail = channel == PasswordCode.Channel.EMAIL
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL if is_mail else OutboxMessage.Channel.SMS,
        recipient=user.email if is_mail else user.phone,
        subject=str(_("Kode kata sandi Peken")) if is_mail else "",
        body=text,
        # Not in the back office, and wiped once sent; a code not sent before it expires never is.
        is_secret=True,
        expires_at=expires_at,
    )


def password_code_redeem(*, identifier: str, code: str, password: str) -> User:
    """Sets the password with a code from password_code_request; clears the account's lock."""
    user = find_user(identifier) or _user_by_email(identifier)
    if user is None:
        raise InvalidCode()
    now = timezone.now()
    with transaction.atomic():
        open_code = (
            PasswordCode.objects.select_for_update()
            .filter(user=user, spent_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if open_code is None:
            raise InvalidCode()
        if not hmac.compare_digest(open_code.code_hash, _code_hash(user, code.strip())):
            open_code.wrong_tries += 1
            if open_code.wrong_tries >= PASSWORD_CODE_WRONG_TRIES:
                open_code.spent_at = now
            open_code.save(update_fields=["wrong_tries", "spent_at"])
            wrong = True
        else:
            wrong = False
            password_check(password, user=user)
            user.set_password(password)
            user.save(update_fields=["password"])
            open_code.spent_at = now
            open_code.save(update_fields=["spent_at"])
            # Whoever holds the code owns the account: a lock from others' guesses ends here.
            LoginThrottle.objects.filter(
                scope=LoginThrottle.Scope.ACCOUNT, key=f"user:{user.pk}"
            ).delete()
            LoginThrottle.objects.filter(
                scope=LoginThrottle.Scope.IP_ACCOUNT, key__endswith=f"|user:{user.pk}"
            ).delete()
    if wrong:
        # Raised after the block so the wrong try is counted, not rolled back.
        raise InvalidCode()
    return user
