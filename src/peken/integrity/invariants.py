"""The rules that must always hold, recounted from the rows (DOMAIN.md, "Rules that must always
hold"): the ledger balances and agrees with payments, refunds, settlements and payouts; the cap
ledger equals the orders it counts; stock is never negative; the roll-ups equal a recount.

One place for the checks that `peken check-invariants` runs for an operator, that the simulation
runs after a month and the benchmark after its load. Read-only: it reads every money app, so it
sits above them (no app imports it back).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from peken.catalog.models import Product
from peken.core.money import format_rupiah
from peken.ledger import rules as ledger_rules
from peken.ledger.models import LedgerEntry, LedgerLine
from peken.ledger.selectors import account_balances, merchant_balances
from peken.obligations.selectors import PAID_STATUSES
from peken.ordering.models import Checkout, Order, OrderItem
from peken.payments.models import Payment, Refund
from peken.payouts.models import Payout, PayoutBatch, SettledPayment
from peken.quotas.models import MerchantMonthQuota
from peken.reports.services import months_with_orders, rollups_check

EXAMPLES = 10  # problems shown per rule; the count says how many there are in all
CANCELLED = Order.Status.CANCELLED
# Paid and not yet completed: the platform still holds the buyer's money for these.
HELD_STATUSES = ("paid", "accepted", "delivering", "ready_for_pickup")


@dataclass
class RuleResult:
    name: str
    description: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return self.count == 0

    def add(self, problem: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(problem)


def _rupiah(amount: int | None) -> str:
    return format_rupiah(amount or 0)


def _sum(queryset, expression="amount") -> int:
    return queryset.aggregate(total=Coalesce(Sum(expression), 0))["total"]


# --- the ledger -----------------------------------------------------------------------------


def ledger_entries_balance(result: RuleResult) -> None:
    unbalanced = (
        LedgerLine.objects.order_by()
        .values("entry_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("entry_id")
    )
    for row in unbalanced:
        result.add(f"jurnal #{row['entry_id']}: debit − kredit = {row['total']}")
    lonely = (
        LedgerEntry.objects.order_by().annotate(line_count=Count("lines")).filter(line_count__lt=2)
    )
    for entry_id in lonely.values_list("pk", flat=True):
        result.add(f"jurnal #{entry_id}: kurang dari dua baris")


def _per_order_ledger_sum(**where) -> Subquery:
    lines = (
        LedgerLine.objects.filter(**where)
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(lines), Value(0), output_field=BigIntegerField())


def orders_paid_once(result: RuleResult) -> None:
    orders = Order.objects.order_by("pk").annotate(
        paid_in=_per_order_ledger_sum(
            entry__kind=LedgerEntry.Kind.PAYMENT,
            entry__order_id=OuterRef("pk"),
            account=ledger_rules.GATEWAY_CLEARING,
        )
    )
    wrong = orders.filter(
        (Q(status__in=PAID_STATUSES) & ~Q(paid_in=F("total")))
        | (Q(status=Order.Status.AWAITING_PAYMENT) & ~Q(paid_in=0))
        | (Q(status=CANCELLED) & ~Q(paid_in=0) & ~Q(paid_in=F("total")))
    )
    for pk, status, total, paid_in in wrong.values_list("pk", "status", "total", "paid_in"):
        result.add(f"pesanan #{pk} ({status}, total {_rupiah(total)}): dibayar {_rupiah(paid_in)}")


def funds_held_match_orders(result: RuleResult) -> None:
    expected = Case(
        When(
            status__in=HELD_STATUSES,
            then=F("total") - F("refunded_goods") - F("refunded_delivery"),
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    orders = Order.objects.order_by("pk").annotate(
        # A liability: the held amount is the lines' sum with the sign turned.
        signed=_per_order_ledger_sum(
            account=ledger_rules.BUYER_FUNDS_HELD, order_id=OuterRef("pk")
        ),
        expected=expected,
    )
    wrong = orders.annotate(gap=F("signed") + F("expected")).exclude(gap=0)
    for pk, status, signed, should in wrong.values_list("pk", "status", "signed", "expected"):
        result.add(
            f"pesanan #{pk} ({status}): ditahan {_rupiah(-signed)}, seharusnya {_rupiah(should)}"
        )


def payments_match_orders(result: RuleResult) -> None:
    paid = Payment.objects.filter(status=Payment.Status.PAID).order_by("pk")
    wrong = paid.annotate(orders_total=Coalesce(Sum("orders__total"), 0)).exclude(
        amount=F("orders_total")
    )
    for reference, amount, orders_total in wrong.values_list("reference", "amount", "orders_total"):
        result.add(f"pembayaran {reference}: {_rupiah(amount)}, pesanannya {_rupiah(orders_total)}")
    twice = (
        Payment.orders.through.objects.filter(payment__status=Payment.Status.PAID)
        .order_by()
        .values("order_id")
        .annotate(payments=Count("payment_id"))
        .filter(payments__gt=1)
    )
    for row in twice:
        result.add(f"pesanan #{row['order_id']}: dibayar oleh {row['payments']} pembayaran")
    unpaid = Order.objects.filter(
        status=Order.Status.AWAITING_PAYMENT, payments__status=Payment.Status.PAID
    )
    for pk in unpaid.values_list("pk", flat=True).distinct():
        result.add(f"pesanan #{pk}: pembayarannya lunas, pesanan masih menunggu pembayaran")
    foreign = Payment.orders.through.objects.exclude(order__checkout_id=F("payment__checkout_id"))
    for payment_id, order_id in foreign.values_list("payment_id", "order_id"):
        result.add(f"pembayaran #{payment_id} membayar pesanan #{order_id} dari checkout lain")


def cash_accounts_match(result: RuleResult) -> None:
    balances = account_balances()
    manual = _sum(
        LedgerLine.objects.filter(
            entry__kind=LedgerEntry.Kind.PAYMENT,
            entry__reference__startswith="manual:",
            account=ledger_rules.GATEWAY_CLEARING,
        )
    )
    received = _sum(Payment.objects.filter(status=Payment.Status.PAID)) + manual
    refunded = _sum(Refund.objects.all())
    settled_gross = _sum(SettledPayment.objects.all(), "gross")
    fees = _sum(SettledPayment.objects.all(), "fee")
    paid_out = _sum(Payout.objects.all())
    expected = {
        ledger_rules.GATEWAY_CLEARING: received - refunded - settled_gross,
        ledger_rules.GATEWAY_FEES: fees,
        ledger_rules.PLATFORM_BANK: settled_gross - fees - paid_out,
    }
    for account, amount in expected.items():
        if balances[account] != amount:
            result.add(
                f"{account}: buku besar {_rupiah(balances[account])}, dari pembayaran, "
                f"pengembalian, setoran dan pencairan {_rupiah(amount)}"
            )


def merchant_payable_matches(result: RuleResult) -> None:
    owed = merchant_balances()
    kept = F("total") - F("refunded_goods") - F("refunded_delivery")
    earned = dict(
        Order.objects.filter(status=Order.Status.COMPLETED)
        .order_by()
        .values("merchant_id")
        .annotate(kept=Sum(kept))
        .values_list("merchant_id", "kept")
    )
    paid_out = _payouts_by_merchant()
    for merchant_id in sorted(owed.keys() | earned.keys() | paid_out.keys()):
        expected = earned.get(merchant_id, 0) - paid_out.get(merchant_id, 0)
        if owed.get(merchant_id, 0) != expected:
            result.add(
                f"toko #{merchant_id}: utang di buku besar {_rupiah(owed.get(merchant_id))}, "
                f"pesanan selesai {_rupiah(earned.get(merchant_id))} − pencairan "
                f"{_rupiah(paid_out.get(merchant_id))} = {_rupiah(expected)}"
            )


def _payouts_by_merchant() -> dict[int, int]:
    return dict(
        Payout.objects.order_by()
        .values("merchant_id")
        .annotate(total=Sum("amount"))
        .values_list("merchant_id", "total")
    )


def payouts_match_ledger(result: RuleResult) -> None:
    in_ledger = dict(
        LedgerLine.objects.filter(
            entry__kind=LedgerEntry.Kind.PAYOUT, account=ledger_rules.MERCHANT_PAYABLE
        )
        .order_by()
        .values("merchant_id")
        .annotate(total=Sum("amount"))
        .values_list("merchant_id", "total")
    )
    paid_out = _payouts_by_merchant()
    for merchant_id in sorted(in_ledger.keys() | paid_out.keys()):
        if in_ledger.get(merchant_id, 0) != paid_out.get(merchant_id, 0):
            result.add(
                f"toko #{merchant_id}: pencairan {_rupiah(paid_out.get(merchant_id))}, di buku "
                f"besar {_rupiah(in_ledger.get(merchant_id))}"
            )
    batches = (
        PayoutBatch.objects.order_by("pk")
        .annotate(summed=Coalesce(Sum("payouts__amount"), 0), counted=Count("payouts"))
        .filter(~Q(total=F("summed")) | ~Q(payout_count=F("counted")))
    )
    for pk, total, summed, count, counted in batches.values_list(
        "pk", "total", "summed", "payout_count", "counted"
    ):
        result.add(
            f"batch #{pk}: {count} pencairan {_rupiah(total)}, isinya {counted} "
            f"pencairan {_rupiah(summed)}"
        )


# --- the cap, the stock, the checkouts --------------------------------------------------------


def quota_equals_orders(result: RuleResult) -> None:
    counted = {
        (merchant_id, month): goods
        for merchant_id, month, goods in Order.objects.filter(counts_toward_cap=True)
        .exclude(status=CANCELLED)
        .order_by()
        .values("merchant_id", "month")
        .annotate(goods=Sum(F("goods_total") - F("refunded_goods")))
        .values_list("merchant_id", "month", "goods")
    }
    used = {
        (merchant_id, month): amount
        for merchant_id, month, amount in MerchantMonthQuota.objects.values_list(
            "merchant_id", "month", "used"
        )
    }
    for key in sorted(counted.keys() | used.keys()):
        if used.get(key, 0) != counted.get(key, 0):
            merchant_id, month = key
            result.add(
                f"toko #{merchant_id} {month:%Y-%m}: kuota terpakai {_rupiah(used.get(key))}, "
                f"pesanan ASN yang dihitung {_rupiah(counted.get(key))}"
            )


def quota_within_cap(result: RuleResult) -> None:
    over = MerchantMonthQuota.objects.filter(Q(used__gt=F("cap")) | Q(used__lt=0)).order_by("pk")
    for merchant_id, month, used, cap in over.values_list("merchant_id", "month", "used", "cap"):
        result.add(
            f"toko #{merchant_id} {month:%Y-%m}: terpakai {_rupiah(used)} dari batas {_rupiah(cap)}"
        )


def stock_not_negative(result: RuleResult) -> None:
    for pk, stock in Product.objects.filter(stock__lt=0).order_by("pk").values_list("pk", "stock"):
        result.add(f"produk #{pk}: stok {stock}")


def reserved_stock() -> dict[int, int]:
    """Units each stocked product has given to orders that still stand (not cancelled)."""
    return dict(
        OrderItem.objects.filter(reserved_stock=True)
        .exclude(order__status=CANCELLED)
        .order_by()
        .values("product_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("product_id", "quantity")
    )


def stock_matches_baseline(result: RuleResult, baseline: dict[int, int]) -> None:
    taken = reserved_stock()
    stocked = Product.objects.filter(is_made_to_order=False, pk__in=baseline).order_by("pk")
    for pk, stock in stocked.values_list("pk", "stock"):
        if stock != baseline[pk] - taken.get(pk, 0):
            result.add(
                f"produk #{pk}: stok {stock}, awal {baseline[pk]} − dipesan {taken.get(pk, 0)}"
            )


def checkouts_have_orders(result: RuleResult) -> None:
    empty = Checkout.objects.order_by("pk").annotate(orders_count=Count("orders"))
    for pk in empty.filter(orders_count=0).values_list("pk", flat=True):
        result.add(f"checkout #{pk} tanpa pesanan")


def rollups_match_orders(result: RuleResult) -> None:
    for month in months_with_orders():
        for difference in rollups_check(month):
            result.add(f"{month}: {difference}")


# --- all of them ----------------------------------------------------------------------------

RULES: dict[str, tuple[str, Callable[[RuleResult], None]]] = {
    "ledger_entries_balance": (
        _("Setiap jurnal buku besar berjumlah nol."),
        ledger_entries_balance,
    ),
    "orders_paid_once": (
        _("Pesanan yang dibayar tercatat dibayar tepat sebesar totalnya; yang belum, tidak."),
        orders_paid_once,
    ),
    "payments_match_orders": (
        _("Pembayaran lunas sama dengan total pesanannya; tak ada pesanan dibayar dua kali."),
        payments_match_orders,
    ),
    "funds_held_match_orders": (
        _("Dana pembeli yang ditahan per pesanan sama dengan sisa pesanan yang belum selesai."),
        funds_held_match_orders,
    ),
    "cash_accounts_match": (
        _(
            "Kliring gateway, kas dan biaya gateway cocok dengan pembayaran, pengembalian dana, "
            "setoran dan pencairan."
        ),
        cash_accounts_match,
    ),
    "merchant_payable_matches": (
        _("Utang ke tiap toko sama dengan pesanan selesainya dikurangi pencairan."),
        merchant_payable_matches,
    ),
    "payouts_match_ledger": (
        _("Setiap pencairan tercatat di buku besar; total batch sama dengan isinya."),
        payouts_match_ledger,
    ),
    "quota_equals_orders": (
        _("Kuota terpakai tiap toko per bulan sama dengan pesanan ASN yang dihitung."),
        quota_equals_orders,
    ),
    "quota_within_cap": (_("Kuota terpakai tidak pernah melewati batas omzet."), quota_within_cap),
    "stock_not_negative": (_("Stok tidak pernah di bawah nol."), stock_not_negative),
    "checkouts_have_orders": (_("Setiap checkout punya pesanan."), checkouts_have_orders),
    "rollups_match_orders": (
        _("Ringkasan laporan kota sama dengan hitungan ulang dari pesanan."),
        rollups_match_orders,
    ),
}
STOCK_BASELINE_RULE = "stock_matches_baseline"


def invariants_check(
    *, stock_baseline: dict[int, int] | None = None, only: Iterable[str] | None = None
) -> list[RuleResult]:
    """Every rule, checked against the rows as they are now (read-only).

    `stock_baseline` ({product id: stock before any order}) adds the rule that stock equals it
    minus what standing orders took: the simulation and the benchmark know their starting stock;
    an installation, where shops restock by hand, does not."""
    wanted = set(only) if only is not None else None
    results = []
    for name, (description, check) in RULES.items():
        if wanted is not None and name not in wanted:
            continue
        result = RuleResult(name=name, description=str(description))
        check(result)
        results.append(result)
    if stock_baseline is not None:
        result = RuleResult(
            name=STOCK_BASELINE_RULE,
            description=str(_("Stok sama dengan stok awal dikurangi yang dipesan.")),
        )
        stock_matches_baseline(result, stock_baseline)
        results.append(result)
    return results


def invariants_broken(results: list[RuleResult]) -> list[RuleResult]:
    return [result for result in results if not result.holds]


# --- figures to compare two copies of a database (a restore with its source) ------------------


def integrity_figures() -> dict:
    """The totals a restore must reproduce exactly: orders, money, the cap, stock, roll-ups."""
    from peken.reports.services import ROLLUPS

    by_status = dict(
        Order.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    rollups = {}
    for rollup in ROLLUPS:
        rows = rollup.model.objects.order_by()
        sums = rows.aggregate(**{name: Coalesce(Sum(name), 0) for name in rollup.sums})
        rollups[rollup.table] = {"rows": rows.count(), **sums}
    quota_rows = MerchantMonthQuota.objects.order_by()
    return {
        "orders": {status: by_status.get(status, 0) for status in Order.Status.values},
        "order_goods": _sum(Order.objects.all(), "goods_total"),
        "order_refunded": _sum(Order.objects.all(), F("refunded_goods") + F("refunded_delivery")),
        "checkouts": Checkout.objects.count(),
        "payments_paid": Payment.objects.filter(status=Payment.Status.PAID).count(),
        "payments_paid_amount": _sum(Payment.objects.filter(status=Payment.Status.PAID)),
        "refunds_amount": _sum(Refund.objects.all()),
        "payouts": Payout.objects.count(),
        "payouts_amount": _sum(Payout.objects.all()),
        "ledger_entries": LedgerEntry.objects.count(),
        "ledger_lines": LedgerLine.objects.count(),
        "ledger_balances": account_balances(),
        "merchants_owed": sum(merchant_balances().values()),
        "quota_rows": quota_rows.count(),
        "quota_used": _sum(quota_rows, "used"),
        "quota_by_month": _quota_by_month(),
        "stock_products": Product.objects.count(),
        "stock_units": _sum(Product.objects.all(), "stock"),
        "rollups": rollups,
    }


def _quota_by_month() -> dict[str, int]:
    months: dict[str, int] = defaultdict(int)
    for month, used in MerchantMonthQuota.objects.values_list("month", "used"):
        months[f"{month:%Y-%m}"] += used
    return dict(sorted(months.items()))
