from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.core.append_only import AppendOnlyModel
from peken.ledger import rules


class LedgerEntry(AppendOnlyModel):
    """One movement of money, balanced: its lines sum to zero. Never changed once written; a
    mistake is put right by another entry."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Pembayaran diterima")
        COMPLETION = "completion", _("Pesanan selesai: jadi hak toko")
        CANCELLATION_REFUND = "cancellation_refund", _("Pesanan batal: dana kembali ke pembeli")
        COMPLAINT_REFUND = "complaint_refund", _("Pengembalian dana karena komplain")
        PAYOUT = "payout", _("Pencairan ke toko")
        SETTLEMENT = "settlement", _("Setoran gateway ke rekening")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    memo = models.CharField(max_length=200, blank=True)
    # What caused it, for tracing back: "payment:12", "refund:3", "payout:7", "settlement:2".
    reference = models.CharField(max_length=60, db_index=True)
    order = models.ForeignKey(
        "ordering.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "jurnal"
        verbose_name_plural = "jurnal buku besar"
        constraints = [
            # An order is paid, completed or refunded on cancellation once: a second posting of
            # the same cause is refused by the database, whatever raced to write it.
            models.UniqueConstraint(
                fields=["kind", "order"],
                condition=Q(kind__in=["payment", "completion", "cancellation_refund"]),
                name="ledger_order_step_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.reference})"


class LedgerLine(AppendOnlyModel):
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(max_length=30, choices=list(rules.ACCOUNTS.items()))
    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "ordering.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(help_text="debit positif, kredit negatif (rupiah)")

    class Meta:
        verbose_name = "baris jurnal"
        verbose_name_plural = "baris jurnal"
        indexes = [
            models.Index(fields=["account", "merchant"]),
            models.Index(fields=["order"]),
        ]
        constraints = [
            models.CheckConstraint(name="ledger_line_not_zero", condition=~Q(amount=0)),
            models.CheckConstraint(
                name="ledger_payable_names_merchant",
                condition=~Q(account=rules.MERCHANT_PAYABLE) | Q(merchant__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        side = "D" if self.amount > 0 else "K"
        return f"{self.account} {side} {abs(self.amount)}"
