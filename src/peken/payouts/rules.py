"""Payout and settlement rules. Pure: no Django."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from peken.core.spreadsheet import safe_cell

BANK_FILE_COLUMNS = ("bank", "account_number", "holder_name", "amount", "reference")


@dataclass(frozen=True)
class BankTransfer:
    bank: str
    account_number: str
    holder_name: str
    amount: int
    reference: str


def bank_file(transfers: Iterable[BankTransfer]) -> str:
    """The bulk-transfer CSV a bank takes: one line per shop, amounts in whole rupiah."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BANK_FILE_COLUMNS)
    for transfer in transfers:
        writer.writerow(
            (
                transfer.bank,
                transfer.account_number,
                safe_cell(transfer.holder_name),
                transfer.amount,
                transfer.reference,
            )
        )
    return out.getvalue()


def payout_reference(batch_id: int, merchant_id: int) -> str:
    return f"PKN-PO{batch_id}-M{merchant_id}"


@dataclass(frozen=True)
class ReportLine:
    line: int
    reference: str
    gross: int
    fee: int


@dataclass(frozen=True)
class Differences:
    missing: list[tuple[str, int]]  # paid in the ledger, absent from the report
    extra: list[tuple[str, int]]  # in the report, no paid payment of ours
    amount: list[tuple[str, int, int]]  # (reference, ours, the report's)
    already_settled: list[tuple[str, int]]
    matched: list[ReportLine]


def reconcile(
    lines: list[ReportLine], paid: dict[str, int], settled: set[str], expected: set[str]
) -> Differences:
    """Report lines against our paid payments (reference → amount).

    `expected`: the references the report should have carried (paid before its last line and not
    settled yet); those it lacks are missing."""
    matched, extra, amount, again = [], [], [], []
    for line in lines:
        if line.reference in settled:
            again.append((line.reference, line.gross))
        elif line.reference not in paid:
            extra.append((line.reference, line.gross))
        elif paid[line.reference] != line.gross:
            amount.append((line.reference, paid[line.reference], line.gross))
        else:
            matched.append(line)
    in_report = {line.reference for line in lines}
    missing = sorted((ref, paid[ref]) for ref in expected - in_report)
    return Differences(missing, extra, amount, again, matched)
