"""Balances and statements, derived from the ledger's lines."""

import datetime as dt

from django.db.models import QuerySet, Sum

from peken.ledger import rules
from peken.ledger.models import LedgerLine


def account_balances() -> dict[str, int]:
    """Every account's balance as people read it (liabilities positive when owed)."""
    sums = dict(
        LedgerLine.objects.values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    return {account: rules.balance(account, sums.get(account) or 0) for account in rules.ACCOUNTS}


def ledger_is_balanced() -> bool:
    return (LedgerLine.objects.aggregate(total=Sum("amount"))["total"] or 0) == 0


def merchant_balance(merchant_id: int) -> int:
    """What the platform owes the shop now: completed orders less refunds and payouts."""
    total = LedgerLine.objects.filter(
        account=rules.MERCHANT_PAYABLE, merchant_id=merchant_id
    ).aggregate(total=Sum("amount"))["total"]
    return rules.balance(rules.MERCHANT_PAYABLE, total or 0)


def merchant_balances() -> dict[int, int]:
    """Every shop's balance, in one query."""
    rows = (
        LedgerLine.objects.filter(account=rules.MERCHANT_PAYABLE)
        .values("merchant_id")
        .annotate(total=Sum("amount"))
        .values_list("merchant_id", "total")
    )
    return {
        merchant_id: rules.balance(rules.MERCHANT_PAYABLE, total) for merchant_id, total in rows
    }


def merchant_statement(
    merchant_id: int, *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[LedgerLine]:
    """The shop's lines, oldest first, with their entries (one query)."""
    lines = LedgerLine.objects.filter(
        account=rules.MERCHANT_PAYABLE, merchant_id=merchant_id
    ).select_related("entry")
    if since is not None:
        lines = lines.filter(entry__at__gte=since)
    if until is not None:
        lines = lines.filter(entry__at__lt=until)
    return lines.order_by("entry__at", "entry_id", "id")
