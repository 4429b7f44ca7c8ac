"""Reads of payouts, settlements and a shop's money."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from peken.accounts.models import User
from peken.accounts.permissions import require_city_reader, sees_whole_city
from peken.core.errors import NotFound
from peken.ledger import rules as ledger_rules
from peken.ledger.models import LedgerEntry, LedgerLine
from peken.ledger.selectors import merchant_balance, merchant_balances, merchant_statement
from peken.merchants.models import Merchant
from peken.merchants.selectors import merchant_of_owner
from peken.payouts.models import Payout, PayoutBatch, SettlementImport


@dataclass(frozen=True)
class MerchantMoney:
    merchant: Merchant
    balance: int
    payouts: list[Payout]
    statement: list[LedgerLine]


def merchant_money(*, viewer: User, merchant_id: int, lines: int = 50) -> MerchantMoney:
    """The owner's view (or a city admin's/auditor's): balance, recent payouts, statement."""
    if sees_whole_city(viewer):
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        if merchant is None:
            raise NotFound(_("Toko tidak ditemukan."))
    else:
        merchant = merchant_of_owner(owner=viewer, merchant_id=merchant_id)
    payouts = list(merchant.payouts.select_related("batch", "merchant").order_by("-batch_id")[:20])
    statement = list(merchant_statement(merchant.pk).reverse()[:lines])
    return MerchantMoney(merchant, merchant_balance(merchant.pk), payouts, statement)


def payout_batches(*, viewer: User) -> QuerySet[PayoutBatch]:
    require_city_reader(viewer)
    return PayoutBatch.objects.order_by("-created_at", "-id")


def payout_batch(*, viewer: User, batch_id: int) -> PayoutBatch:
    batch = payout_batches(viewer=viewer).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("Batch pencairan tidak ditemukan."))
    return batch


def settlement_imports(*, viewer: User) -> QuerySet[SettlementImport]:
    require_city_reader(viewer)
    return SettlementImport.objects.prefetch_related("differences").order_by("-imported_at", "-id")


def settlement_import(*, viewer: User, import_id: int) -> SettlementImport:
    found = settlement_imports(viewer=viewer).filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("Laporan settlement tidak ditemukan."))
    return found


@dataclass(frozen=True)
class HeldPayout:
    merchant: Merchant
    balance: int
    reason: str


def payouts_held() -> list[HeldPayout]:
    """Shops owed money that a payout run skips, and why (a new bank account not yet confirmed)."""
    balances = merchant_balances()
    shops = Merchant.objects.filter(bank_account__is_payout_held=True).order_by("pk")
    reason = _("Rekening bank baru belum dikonfirmasi petugas kelurahan.")
    return [HeldPayout(shop, balances.get(shop.pk, 0), reason) for shop in shops]


def owed_since() -> dt.datetime | None:
    """When the longest-waiting money still owed to a shop became the shop's: the first
    completion after that shop's last payout, over the shops owed money now (held bank accounts
    included). None when no shop is owed anything. For the operator's metrics."""
    owed = [merchant for merchant, amount in merchant_balances().items() if amount > 0]
    if not owed:
        return None
    payable = LedgerLine.objects.filter(account=ledger_rules.MERCHANT_PAYABLE)
    last_payout = (
        payable.filter(merchant_id=OuterRef("merchant_id"), entry__kind=LedgerEntry.Kind.PAYOUT)
        .order_by("-entry__at")
        .values("entry__at")[:1]
    )
    return (
        payable.filter(merchant_id__in=owed, entry__kind=LedgerEntry.Kind.COMPLETION)
        .annotate(last_paid_at=Subquery(last_payout))
        .filter(Q(last_paid_at__isnull=True) | Q(entry__at__gt=F("last_paid_at")))
        .aggregate(since=Min("entry__at"))["since"]
    )
