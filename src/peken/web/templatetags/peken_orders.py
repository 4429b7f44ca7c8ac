"""What order pages ask of an order beyond its fields."""

from django import template

from peken.ordering.completion import auto_complete_at

register = template.Library()


@register.filter
def completes_at(order):
    """When an order waiting for its buyer completes by itself (None otherwise)."""
    return auto_complete_at(order)
