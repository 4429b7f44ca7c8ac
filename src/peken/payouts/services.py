"""Paying shops what they are owed, and checking the gateway's settlement against the ledger."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peken.accounts.models import User
from peken.accounts.permissions import require_city_admin
from peken.core.audit import audit_record
from peken.core.errors import Conflict, InvalidInput
from peken.core.money import format_rupiah
from peken.core.months import WIB
from peken.core.tabular import ImportProblem, ImportRejected, read_table, require_columns
from peken.ledger.selectors import merchant_balances
from peken.ledger.services import ledger_payout, ledger_settlement
from peken.merchants.models import BankAccount, Merchant
from peken.notifications.models import Notification
from peken.notifications.services import notify
from peken.payments.models import Payment
from peken.payouts import rules
from peken.payouts.models import (
    Payout,
    PayoutBatch,
    SettledPayment,
    SettlementDifference,
    SettlementImport,
)

MAX_SETTLEMENT_BYTES = 10 * 1024 * 1024
SETTLEMENT_ALIASES = {
    "order_id": "reference",
    "referensi": "reference",
    "gross_amount": "gross",
    "amount": "gross",
    "nominal": "gross",
    "biaya": "fee",
    "mdr": "fee",
}


class PayoutAlreadyRan(Conflict):
    code = "payout_already_ran"
    default_message = gettext_lazy("Pencairan harian untuk tanggal ini sudah dibuat.")


def payouts_run(
    *, actor: User | None = None, business_date: dt.date | None = None
) -> PayoutBatch | None:
    """Every shop owed money and with a bank account, in one batch and one bank file.

    Daily (no actor; once per WIB day, a second run that day does nothing) or on demand by a
    city admin. Shops owing money back after a refund (balance below zero) are skipped until
    their completed orders cover it. Returns None when nobody is owed anything."""
    if actor is not None:
        require_city_admin(actor)
    trigger = PayoutBatch.Trigger.ON_DEMAND if actor else PayoutBatch.Trigger.DAILY
    day = business_date or timezone.now().astimezone(WIB).date()
    try:
        with transaction.atomic():
            batch = PayoutBatch.objects.create(
                trigger=trigger, created_by=actor, business_date=day if not actor else None
            )
            transfers = _pay_everyone(batch)
            if not transfers:
                transaction.set_rollback(True)
                return None
            batch.payout_count = len(transfers)
            batch.total = sum(transfer.amount for transfer in transfers)
            batch.bank_file = rules.bank_file(transfers)
            batch.save(update_fields=["payout_count", "total", "bank_file"])
            if actor is not None:
                audit_record(
                    actor=actor,
                    action="payout.run",
                    target=batch,
                    after={"total": batch.total, "payouts": batch.payout_count},
                )
    except IntegrityError as error:
        raise PayoutAlreadyRan() from error
    return batch


def payouts_daily() -> PayoutBatch | None:
    """The worker's daily run: today's batch (WIB), unless it exists already."""
    day = timezone.now().astimezone(WIB).date()
    if PayoutBatch.objects.filter(trigger=PayoutBatch.Trigger.DAILY, business_date=day).exists():
        return None
    try:
        return payouts_run(business_date=day)
    except PayoutAlreadyRan:
        return None  # another worker made it a moment ago


def _pay_everyone(batch: PayoutBatch) -> list[rules.BankTransfer]:
    # Lock the owed shops' bank rows in id order: two runs at once cannot pay a shop twice,
    # since the second reads the balance after the first's payout entries.
    owed = {merchant: amount for merchant, amount in merchant_balances().items() if amount > 0}
    accounts = (
        BankAccount.objects.select_for_update()
        .filter(merchant_id__in=owed, is_payout_held=False)
        .order_by("merchant_id")
    )
    accounts = list(accounts)
    owed = {merchant: amount for merchant, amount in merchant_balances().items() if amount > 0}
    transfers, payouts = [], []
    for account in accounts:
        amount = owed.get(account.merchant_id, 0)
        if amount <= 0:
            continue
        reference = rules.payout_reference(batch.pk, account.merchant_id)
        ledger_payout(merchant_id=account.merchant_id, amount=amount, reference=reference)
        transfer = rules.BankTransfer(
            account.bank_code, account.account_number, account.holder_name, amount, reference
        )
        transfers.append(transfer)
        payouts.append(
            Payout(
                batch=batch,
                merchant_id=account.merchant_id,
                amount=amount,
                bank_code=account.bank_code,
                account_number=account.account_number,
                holder_name=account.holder_name,
                reference=reference,
            )
        )
    Payout.objects.bulk_create(payouts)
    _tell_owners(payouts)
    return transfers


def _tell_owners(payouts: list[Payout]) -> None:
    shops = Merchant.objects.select_related("owner").filter(pk__in=[p.merchant_id for p in payouts])
    owners = {shop.pk: shop.owner for shop in shops}
    for payout in payouts:
        notify(
            user=owners[payout.merchant_id],
            kind=Notification.Kind.PAYOUT_SENT,
            text=gettext_noop(
                "Dana %(amount)s dicairkan ke rekening %(bank)s ****%(last_digits)s "
                "(%(reference)s)."
            ),
            params={
                "amount": format_rupiah(payout.amount),
                "bank": payout.bank_code,
                "last_digits": payout.account_number[-4:],
                "reference": payout.reference,
            },
            url="/penjual/keuangan/",
        )


def settlement_import(*, actor: User, data: bytes, filename: str) -> SettlementImport:
    """Reads a gateway settlement CSV/XLSX (reference, gross, fee), settles the lines that match
    a paid payment in the ledger, and lists every difference. A bad file changes nothing."""
    require_city_admin(actor)
    lines = _report_lines(data)
    paid = dict(
        Payment.objects.filter(status=Payment.Status.PAID).values_list("reference", "amount")
    )
    settled = set(
        SettledPayment.objects.filter(reference__in=[line.reference for line in lines]).values_list(
            "reference", flat=True
        )
    )
    expected = _expected_references(paid)
    result = rules.reconcile(lines, paid, settled, expected)
    with transaction.atomic():
        report = SettlementImport.objects.create(
            imported_by=actor,
            filename=filename[:200],
            line_count=len(lines),
            matched_count=len(result.matched),
            gross_total=sum(line.gross for line in result.matched),
            fee_total=sum(line.fee for line in result.matched),
        )
        _settle(report, result.matched)
        _record_differences(report, result)
        audit_record(
            actor=actor,
            action="settlement.import",
            target=report,
            after={"lines": len(lines), "matched": len(result.matched)},
        )
    return report


def _expected_references(paid: dict[str, int]) -> set[str]:
    settled = set(SettledPayment.objects.values_list("reference", flat=True))
    return {reference for reference in paid if reference not in settled}


def _settle(report: SettlementImport, matched: list[rules.ReportLine]) -> None:
    SettledPayment.objects.bulk_create(
        SettledPayment(settlement=report, reference=line.reference, gross=line.gross, fee=line.fee)
        for line in matched
    )
    if matched:
        ledger_settlement(
            gross=report.gross_total, fee=report.fee_total, reference=f"settlement:{report.pk}"
        )


def _record_differences(report: SettlementImport, result: rules.Differences) -> None:
    Kind = SettlementDifference.Kind
    rows = (
        [
            SettlementDifference(
                settlement=report, kind=Kind.MISSING, reference=ref, ledger_amount=ours
            )
            for ref, ours in result.missing
        ]
        + [
            SettlementDifference(
                settlement=report, kind=Kind.EXTRA, reference=ref, report_amount=theirs
            )
            for ref, theirs in result.extra
        ]
        + [
            SettlementDifference(
                settlement=report,
                kind=Kind.AMOUNT,
                reference=ref,
                ledger_amount=ours,
                report_amount=theirs,
            )
            for ref, ours, theirs in result.amount
        ]
        + [
            SettlementDifference(
                settlement=report, kind=Kind.ALREADY_SETTLED, reference=ref, report_amount=theirs
            )
            for ref, theirs in result.already_settled
        ]
    )
    SettlementDifference.objects.bulk_create(rows)


def _report_lines(data: bytes) -> list[rules.ReportLine]:
    table = read_table(data, max_bytes=MAX_SETTLEMENT_BYTES)
    require_columns(table, ("reference", "gross", "fee"), SETTLEMENT_ALIASES)
    problems, lines, seen = list(table.problems), [], set()
    for number, row in table.rows:
        reference = (row.get("reference") or "").strip()
        gross, fee = _rupiah(row.get("gross")), _rupiah(row.get("fee") or "0")
        if not reference:
            problems.append(ImportProblem(number, "reference", _("Referensi kosong.")))
        elif reference in seen:
            problems.append(ImportProblem(number, "reference", _("Referensi muncul dua kali.")))
        if gross is None or gross <= 0:
            problems.append(ImportProblem(number, "gross", _("Nominal harus rupiah bulat > 0.")))
        if fee is None or (gross is not None and fee > gross):
            problems.append(ImportProblem(number, "fee", _("Biaya harus rupiah bulat ≤ nominal.")))
        seen.add(reference)
        if reference and gross and fee is not None:
            lines.append(rules.ReportLine(number, reference, gross, fee))
    if problems:
        raise ImportRejected(problems)
    if not lines:
        raise InvalidInput(_("Laporan settlement tidak berisi baris."), field="file")
    return lines


def _rupiah(text: str | None) -> int | None:
    """'150000', '150.000', '150000.00' (gateways write cents) → 150000; anything else None."""
    text = (text or "").strip().replace("Rp", "").strip()
    if text.endswith((".00", ",00")):
        text = text[:-3]
    text = text.replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None
