from django.contrib import admin

from peken.admin_site import ReadOnlyInline, ReadOnlyModelAdmin
from peken.ordering.models import Order, OrderEvent, OrderItem


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    readonly_fields = ["product", "product_name", "unit", "unit_price", "quantity", "line_total"]
    exclude = ["reserved_stock"]


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    readonly_fields = ["from_status", "to_status", "at", "actor", "actor_kind", "note"]


@admin.register(Order)
class OrderAdmin(ReadOnlyModelAdmin):
    """Orders change only through their services (stock, cap and timeline move together)."""

    list_display = ["id", "placed_at", "buyer", "buyer_kind", "merchant", "status", "total"]
    list_filter = ["status", "buyer_kind", "fulfilment", "month"]
    list_select_related = ["buyer", "merchant"]
    search_fields = ["=id", "merchant__name", "buyer__username", "=buyer__asn_profile__nip"]
    date_hierarchy = "placed_at"
    inlines = [OrderItemInline, OrderEventInline]
