"""Reserving and releasing a merchant's monthly cap.

Every change is one conditional UPDATE (`used + x <= cap`), so two checkouts can never both take
the last rupiah: the database decides, row by row, and the check constraint backs it up. Callers
take quota rows in merchant-id order inside their transaction, after product rows, so concurrent
checkouts never wait on each other in a cycle.
"""

import datetime as dt
import functools

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.accounts.models import User
from peken.accounts.permissions import require_city_admin
from peken.core.audit import audit_record
from peken.core.cache import LISTING, generation_bump
from peken.core.errors import Conflict, InvalidInput
from peken.core.money import format_thousands
from peken.core.months import Month
from peken.core.rule_errors import RuleError
from peken.merchants.models import Merchant
from peken.policy.models import DEFAULT_CAP, CityPolicy
from peken.policy.selectors import policy_current
from peken.quotas import rules
from peken.quotas.models import MerchantCap, MerchantMonthQuota
from peken.quotas.selectors import cap_for


class MerchantCapReached(Conflict):
    code = "merchant_cap_reached"
    default_message = gettext_lazy("Toko ini sudah mencapai batas omzet ASN bulan ini.")


def quotas_reserve(*, month: dt.date, goods_by_merchant: dict[int, int]) -> None:
    """Takes each merchant's goods from its month, or raises MerchantCapReached for the first
    merchant (by id) without room, with what it has left. Runs inside the caller's transaction.

    One statement for the whole cart: each month row is made if missing (with the merchant's own
    cap or the city's current default), or its `used` raised — only where `used + amount <= cap`.
    Rows are taken in merchant-id order (the ORDER BY feeds the upsert in that order), so two
    carts sharing shops never wait on each other in a cycle. A merchant missing from what comes
    back had no room.
    """
    merchant_ids = sorted(goods_by_merchant)
    parameters: list = []
    for merchant_id in merchant_ids:
        parameters += [merchant_id, goods_by_merchant[merchant_id]]
    parameters += [month, DEFAULT_CAP]
    with connection.cursor() as cursor:
        cursor.execute(_reserve_sql(len(merchant_ids)), parameters)
        rows = cursor.fetchall()
    reserved = {merchant_id for merchant_id, _ in rows}
    for merchant_id in merchant_ids:
        if merchant_id not in reserved:
            raise _cap_reached(merchant_id, month)
    if any(at_cap for _, at_cap in rows):
        # Cached listings offered this shop: none may after this order commits.
        generation_bump(LISTING)


def _cap_reached(merchant_id: int, month: dt.date) -> MerchantCapReached:
    quota = MerchantMonthQuota.objects.filter(merchant_id=merchant_id, month=month).first()
    if quota is not None:
        left = rules.remaining(cap=quota.cap, used=quota.used)
    else:
        left = cap_for(merchant_id, default_cap=policy_current().default_cap)
    return MerchantCapReached(
        _("Toko ini hanya bisa menerima belanja ASN Rp %(left)s lagi bulan ini.")
        % {"left": format_thousands(left)},
        merchant_id=merchant_id,
        remaining=left,
    )


@functools.cache
def _reserve_sql(merchants: int) -> str:
    quota = MerchantMonthQuota._meta.db_table
    override = MerchantCap._meta.db_table
    policy = CityPolicy._meta.db_table
    wanted = ", ".join(["(%s, %s)"] * merchants)
    # Standard upsert, the same text on PostgreSQL and SQLite (3.35+ for RETURNING). The city's
    # default cap is read here rather than passed in: no separate read of the policy, and the
    # value is the one current when the row is made. The SELECT carries a WHERE, which SQLite
    # needs to tell it from the ON CONFLICT clause.
    return f"""
        WITH wanted (merchant_id, amount) AS (VALUES {wanted})
        INSERT INTO {quota} (merchant_id, month, cap, used)
        SELECT chosen.merchant_id, chosen.month, chosen.cap, chosen.amount
        FROM (
            SELECT wanted.merchant_id, %s AS month, wanted.amount, COALESCE(
                (SELECT cap FROM {override} WHERE merchant_id = wanted.merchant_id),
                (SELECT default_cap FROM {policy} WHERE id = 1),
                %s
            ) AS cap
            FROM wanted
        ) AS chosen
        WHERE chosen.amount <= chosen.cap
        ORDER BY chosen.merchant_id
        ON CONFLICT (merchant_id, month) DO UPDATE
            SET used = {quota}.used + excluded.used
            WHERE {quota}.used + excluded.used <= {quota}.cap
        RETURNING merchant_id, used >= cap
    """


def quota_release(*, merchant_id: int, month: dt.date, amount: int) -> None:
    """Gives back what a cancelled or refunded order had taken. Inside the caller's transaction."""
    released = MerchantMonthQuota.objects.filter(
        merchant_id=merchant_id, month=month, used__gte=amount
    ).update(used=F("used") - amount)
    if released != 1:
        raise RuntimeError(f"quota of merchant {merchant_id} for {month} is short of {amount}")


def cap_validate(cap: int, *, field: str) -> None:
    """A cap outside Rp 1 .. Rp 10^12 is refused, in words (InvalidInput with `field`)."""
    try:
        rules.cap_check(cap)
    except RuleError as error:
        raise InvalidInput(str(error), field=field) from error


def merchant_cap_set(*, actor: User, merchant: Merchant, cap: int | None) -> None:
    """A city admin gives one merchant its own cap (None: back to the city default).

    The current month follows at once; a cap below what is reserved stops there.
    """
    require_city_admin(actor)
    if cap is not None:
        cap_validate(cap, field="cap")
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
        generation_bump(LISTING)
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
    generation_bump(LISTING)


def _set_month_cap(which: Q, month: dt.date, cap: int) -> None:
    rows = MerchantMonthQuota.objects.filter(which, month=month)
    # Two statements rather than GREATEST(), which SQLite spells MAX(): same result on both.
    rows.filter(used__lte=cap).update(cap=cap)
    rows.filter(used__gt=cap).update(cap=F("used"))
