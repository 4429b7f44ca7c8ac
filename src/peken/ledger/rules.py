"""Ledger rules: accounts, signs and balance. Pure: no Django.

Double entry in integer rupiah. A line's amount is positive for a debit and negative for a credit;
every entry's lines sum to zero. Balances are derived from lines, never stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Assets (what the platform holds): money at the gateway not yet settled, money in the city's
# account. Liabilities (what it owes): buyers' money for orders not yet completed, and what each
# shop is owed for completed ones. Fees the gateway keeps are an expense.
GATEWAY_CLEARING = "gateway_clearing"
PLATFORM_BANK = "platform_bank"
BUYER_FUNDS_HELD = "buyer_funds_held"
MERCHANT_PAYABLE = "merchant_payable"
GATEWAY_FEES = "gateway_fees"

ACCOUNTS = {
    GATEWAY_CLEARING: "Kliring gateway pembayaran",
    PLATFORM_BANK: "Rekening kas daerah/platform",
    BUYER_FUNDS_HELD: "Dana pembeli ditahan",
    MERCHANT_PAYABLE: "Utang ke toko",
    GATEWAY_FEES: "Biaya gateway",
}
# Liabilities read the other way round: a credit raises what is owed.
CREDIT_NORMAL = frozenset({BUYER_FUNDS_HELD, MERCHANT_PAYABLE})


class LedgerRuleError(ValueError):
    """str(error) says what is wrong, for developers: a bad posting is a bug, not user input."""


@dataclass(frozen=True)
class Line:
    account: str
    amount: int  # debit > 0, credit < 0
    merchant_id: int | None = None
    order_id: int | None = None


def debit(account: str, amount: int, **where) -> Line:
    return Line(account, amount, **where)


def credit(account: str, amount: int, **where) -> Line:
    return Line(account, -amount, **where)


def entry_check(lines: Iterable[Line]) -> list[Line]:
    """The lines of one entry, checked: known accounts, whole non-zero amounts, sum zero."""
    lines = [line for line in lines if line.amount != 0]
    if len(lines) < 2:
        raise LedgerRuleError("an entry needs at least two non-zero lines")
    for line in lines:
        if line.account not in ACCOUNTS:
            raise LedgerRuleError(f"unknown account {line.account!r}")
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            raise LedgerRuleError(f"amount must be whole rupiah, got {line.amount!r}")
        if line.account == MERCHANT_PAYABLE and line.merchant_id is None:
            raise LedgerRuleError("a merchant_payable line names its merchant")
    total = sum(line.amount for line in lines)
    if total != 0:
        raise LedgerRuleError(f"entry does not balance: debits minus credits = {total}")
    return lines


def balance(account: str, signed_sum: int) -> int:
    """An account's balance as people read it: liabilities positive when owed."""
    return -signed_sum if account in CREDIT_NORMAL else signed_sum


def refund_split(*, goods_left: int, delivery_left: int, amount: int) -> tuple[int, int]:
    """A refund of `amount` comes off the goods first, then the delivery fee.

    Goods first because a complaint is about what was bought; the cap and the ASN's obligation
    count goods, so they fall by the goods part."""
    if amount < 1:
        raise LedgerRuleError("a refund is at least Rp 1")
    if amount > goods_left + delivery_left:
        raise LedgerRuleError("a refund cannot exceed what is left of the order")
    goods = min(amount, goods_left)
    return goods, amount - goods
