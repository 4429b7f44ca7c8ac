from django.contrib import admin

from peken.admin_site import ReadOnlyModelAdmin
from peken.payments.models import Complaint, Payment, PaymentNotification, Refund


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ["reference", "created_at", "method", "amount", "status", "paid_at"]
    list_filter = ["status", "method", "gateway"]
    search_fields = ["=reference", "=gateway_transaction_id", "=checkout__id"]
    date_hierarchy = "created_at"
    exclude = ["orders"]


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyModelAdmin):
    """Every webhook delivery, rejected ones included: where forgeries show up."""

    list_display = ["received_at", "gateway", "reference", "status", "amount", "outcome"]
    list_filter = ["outcome", "gateway", "status"]
    search_fields = ["=reference"]
    date_hierarchy = "received_at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "created_at", "order", "kind", "amount", "status", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["=order__id", "=payment__reference"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyModelAdmin):
    """Decided through the officers' pages and the API (refunds move money and the cap)."""

    list_display = ["id", "opened_at", "order", "reason", "status", "decided_by"]
    list_filter = ["status", "reason"]
    search_fields = ["=order__id"]
