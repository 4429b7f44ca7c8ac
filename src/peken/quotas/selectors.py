from dataclasses import dataclass

from peken.accounts import permissions
from peken.accounts.models import Role, User
from peken.core.months import Month
from peken.merchants.models import Merchant
from peken.policy.selectors import policy_current
from peken.quotas import rules
from peken.quotas.models import MerchantCap, MerchantMonthQuota


def cap_for(merchant_id: int, *, default_cap: int) -> int:
    """The merchant's own cap if the city set one, else the default."""
    override = MerchantCap.objects.filter(merchant_id=merchant_id).values_list("cap", flat=True)
    return next(iter(override), default_cap)


@dataclass(frozen=True)
class QuotaStatus:
    month: str
    cap: int
    used: int
    remaining: int


def quota_status(*, viewer: User, merchant: Merchant, month: Month) -> QuotaStatus:
    """The shop's cap, ASN turnover so far and what is left, for its owner, an officer of its
    area, a city admin or an auditor."""
    if viewer.pk != merchant.owner_id and not viewer.has_role(Role.AUDITOR):
        permissions.require_area(viewer, merchant.kelurahan)
    row = MerchantMonthQuota.objects.filter(merchant=merchant, month=rules.month_key(month)).first()
    if row is not None:
        cap, used = row.cap, row.used
    else:
        cap, used = cap_for(merchant.pk, default_cap=policy_current().default_cap), 0
    return QuotaStatus(str(month), cap, used, rules.remaining(cap=cap, used=used))
