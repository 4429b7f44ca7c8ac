"""Reserving and releasing a merchant's monthly cap.

Every change is one conditional UPDATE (`used + x <= cap`), so two checkouts can never both take
the last rupiah: the database decides, row by row, and the check constraint backs it up. Callers
take quota rows in merchant-id order inside their transaction, after product rows, so concurrent
checkouts never wait on each other in a cycle.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from peken.accounts.models import Role, User
from peken.accounts.permissions import require_role
from peken.core.audit import audit_record
from peken.core.errors import Conflict, InvalidInput
from peken.core.months import Month
from peken.merchants.models import Merchant
from peken.policy.selectors import policy_current
from peken.quotas import rules
from peken.quotas.models import MerchantCap, MerchantMonthQuota


class MerchantCapReached(Conflict):
    code = "merchant_cap_reached"
    default_message = "Toko ini sudah mencapai batas omzet ASN bulan ini."


def cap_for(merchant_id: int, *, default_cap: int) -> int:
    override = MerchantCap.objects.filter(merchant_id=merchant_id).values_list("cap", flat=True)
    return next(iter(override), default_cap)


def quota_reserve(*, merchant_id: int, month: dt.date, amount: int, default_cap: int) -> None:
    """Takes `amount` of the merchant's month, or raises MerchantCapReached with what is left.

    One statement: the month's row is made if missing (with the merchant's own cap or the
    city's), or its `used` raised — only where `used + amount <= cap`. No row back means no room.
    Runs inside the caller's transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(RESERVE_SQL, [merchant_id, month, merchant_id, default_cap, amount])
        if cursor.fetchone() is not None:
            return
    quota = MerchantMonthQuota.objects.filter(merchant_id=merchant_id, month=month).first()
    cap = quota.cap if quota else cap_for(merchant_id, default_cap=default_cap)
    left = rules.remaining(cap=cap, used=quota.used if quota else 0)
    raise MerchantCapReached(
        f"Toko ini hanya bisa menerima belanja ASN Rp {left:,} lagi bulan ini.".replace(",", "."),
        merchant_id=merchant_id,
        remaining=left,
    )


def _reserve_sql() -> str:
    quota = MerchantMonthQuota._meta.db_table
    override = MerchantCap._meta.db_table
    # Standard upsert, the same text on PostgreSQL and SQLite (3.35+ for RETURNING). The SELECT
    # carries a WHERE, which SQLite needs to tell it from the ON CONFLICT clause.
    return f"""
        INSERT INTO {quota} (merchant_id, month, cap, used)
        SELECT chosen.merchant_id, chosen.month, chosen.cap, chosen.amount
        FROM (
            SELECT %s AS merchant_id, %s AS month,
                   COALESCE((SELECT cap FROM {override} WHERE merchant_id = %s), %s) AS cap,
                   %s AS amount
        ) AS chosen
        WHERE chosen.amount <= chosen.cap
        ON CONFLICT (merchant_id, month) DO UPDATE
            SET used = {quota}.used + excluded.used
            WHERE {quota}.used + excluded.used <= {quota}.cap
        RETURNING used
    """


RESERVE_SQL = _reserve_sql()


def quota_release(*, merchant_id: int, month: dt.date, amount: int) -> None:
    """Gives back what a cancelled or refunded order had taken. Inside the caller's transaction."""
    released = MerchantMonthQuota.objects.filter(
        merchant_id=merchant_id, month=month, used__gte=amount
    ).update(used=F("used") - amount)
    if released != 1:
        raise RuntimeError(f"quota of merchant {merchant_id} for {month} is short of {amount}")


def merchant_cap_set(*, actor: User, merchant: Merchant, cap: int | None) -> None:
    """A city admin gives one merchant its own cap (None: back to the city default).

    The current month follows at once; a cap below what is reserved stops there.
    """
    require_role(actor, Role.CITY_ADMIN)
    if cap is not None and cap <= 0:
        raise InvalidInput("Batas omzet harus lebih dari Rp 0.", field="cap")
    month = rules.month_key(Month.of(timezone.now()))
    with transaction.atomic():
        before = MerchantCap.objects.filter(merchant=merchant).values_list("cap", flat=True).first()
        if cap is None:
            MerchantCap.objects.filter(merchant=merchant).delete()
        else:
            MerchantCap.objects.update_or_create(
                merchant=merchant, defaults={"cap": cap, "set_by": actor, "set_at": timezone.now()}
            )
        effective = cap if cap is not None else policy_current().default_cap
        _set_month_cap(Q(merchant=merchant), month, effective)
        audit_record(
            actor=actor,
            action="quota.cap_set",
            target=merchant,
            before={"cap": before},
            after={"cap": cap},
        )


def default_cap_apply(*, cap: int) -> None:
    """The city's new default reaches this month's rows of merchants without their own cap."""
    month = rules.month_key(Month.of(timezone.now()))
    _set_month_cap(Q(merchant__cap_override__isnull=True), month, cap)


def _set_month_cap(which: Q, month: dt.date, cap: int) -> None:
    rows = MerchantMonthQuota.objects.filter(which, month=month)
    # Two statements rather than GREATEST(), which SQLite spells MAX(): same result on both.
    rows.filter(used__lte=cap).update(cap=cap)
    rows.filter(used__gt=cap).update(cap=F("used"))
