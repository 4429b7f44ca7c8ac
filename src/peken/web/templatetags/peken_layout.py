"""The layout's personal bits: on a page drawn for many readers (web.shared_pages) a stand-in
that each request fills in, else the bit itself."""

from django import template

from peken.web.shared_pages import badge, stand_in

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_badge(context, name: str) -> str:
    """{% personal_badge "unread" %}: the unread (or "cart") count's badge."""
    if context.get("page_shared"):
        return stand_in(name)
    return badge(name, context.get(f"{name}_count", 0))
