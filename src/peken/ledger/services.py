"""Posting money movements. Every function runs inside the caller's transaction: the entry
lands with the order or payment change that caused it, or not at all."""

from django.db import transaction
from django.db.models import Sum

from peken.accounts.models import User
from peken.core.statements import rows_insert
from peken.ledger import rules
from peken.ledger.models import LedgerEntry, LedgerLine
from peken.ledger.rules import (
    BUYER_FUNDS_HELD,
    GATEWAY_CLEARING,
    GATEWAY_FEES,
    MERCHANT_PAYABLE,
    PLATFORM_BANK,
    credit,
    debit,
)
from peken.ordering.models import Order

Kind = LedgerEntry.Kind


def ledger_post(
    *,
    kind: str,
    lines: list[rules.Line],
    reference: str,
    order: Order | None = None,
    actor: User | None = None,
    memo: str = "",
) -> LedgerEntry:
    """Writes one balanced entry (raises LedgerRuleError on an unbalanced one: a bug)."""
    checked = rules.entry_check(lines)
    # Inside the caller's transaction, without a savepoint: an entry that fails to write must
    # undo the change that caused it. Two INSERTs, each built once (peken.core.statements).
    with transaction.atomic(savepoint=False):
        entry = LedgerEntry(
            kind=kind, reference=reference, order=order, actor=actor, memo=memo[:200]
        )
        rows_insert([entry])
        rows_insert(
            [
                LedgerLine(
                    entry=entry,
                    account=line.account,
                    amount=line.amount,
                    merchant_id=line.merchant_id,
                    order_id=line.order_id,
                )
                for line in checked
            ]
        )
    return entry


def ledger_order_paid(*, order: Order, reference: str) -> LedgerEntry:
    """The buyer's money reached the gateway; the platform holds it for the order."""
    return ledger_post(
        kind=Kind.PAYMENT,
        reference=reference,
        order=order,
        lines=[
            debit(GATEWAY_CLEARING, order.total),
            credit(BUYER_FUNDS_HELD, order.total, order_id=order.pk),
        ],
    )


def ledger_order_completed(*, order: Order, actor: User | None) -> LedgerEntry | None:
    """A completed order is owed to its shop: whatever of it is still held moves over (nothing,
    when a complaint refunded all of it before completion)."""
    held = order_held(order.pk)
    if held == 0:
        return None
    return ledger_post(
        kind=Kind.COMPLETION,
        reference=f"order:{order.pk}",
        order=order,
        actor=actor,
        lines=[
            debit(BUYER_FUNDS_HELD, held, order_id=order.pk),
            credit(MERCHANT_PAYABLE, held, merchant_id=order.merchant_id, order_id=order.pk),
        ],
    )


def ledger_order_cancelled(*, order: Order, held: int, reference: str) -> LedgerEntry:
    """A paid order cancelled: what is still held of it (`held`, read by the caller with
    order_held) goes back out through the gateway to the buyer."""
    return ledger_post(
        kind=Kind.CANCELLATION_REFUND,
        reference=reference,
        order=order,
        lines=[
            debit(BUYER_FUNDS_HELD, held, order_id=order.pk),
            credit(GATEWAY_CLEARING, held),
        ],
    )


def ledger_complaint_refund(
    *, order: Order, amount: int, reference: str, actor: User | None
) -> LedgerEntry:
    """A refund decided on a complaint: from what is still held for the order first, the rest
    from what its shop is owed (which may go below zero and is then kept from its next payout)."""
    from_held = min(amount, order_held(order.pk))
    from_shop = amount - from_held
    return ledger_post(
        kind=Kind.COMPLAINT_REFUND,
        reference=reference,
        order=order,
        actor=actor,
        lines=[
            debit(BUYER_FUNDS_HELD, from_held, order_id=order.pk),
            debit(MERCHANT_PAYABLE, from_shop, merchant_id=order.merchant_id, order_id=order.pk),
            credit(GATEWAY_CLEARING, amount),
        ],
    )


def ledger_payout(*, merchant_id: int, amount: int, reference: str) -> LedgerEntry:
    return ledger_post(
        kind=Kind.PAYOUT,
        reference=reference,
        lines=[
            debit(MERCHANT_PAYABLE, amount, merchant_id=merchant_id),
            credit(PLATFORM_BANK, amount),
        ],
    )


def ledger_settlement(*, gross: int, fee: int, reference: str) -> LedgerEntry:
    """The gateway paid what it collected into the city's account, less its fee."""
    return ledger_post(
        kind=Kind.SETTLEMENT,
        reference=reference,
        lines=[
            debit(PLATFORM_BANK, gross - fee),
            debit(GATEWAY_FEES, fee),
            credit(GATEWAY_CLEARING, gross),
        ],
    )


def order_held(order_id: int) -> int:
    """What the platform still holds of one order's payment."""
    total = LedgerLine.objects.filter(account=BUYER_FUNDS_HELD, order_id=order_id).aggregate(
        total=Sum("amount")
    )["total"]
    return rules.balance(BUYER_FUNDS_HELD, total or 0)
