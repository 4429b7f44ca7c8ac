from peken.notifications.selectors import unread_count
from peken.web.cart import cart_count
from peken.web.shared_pages import CSRF_STAND_IN


def web(request) -> dict:
    """What the layout shows on every page: the cart's size and unread notifications; on a page
    drawn for many readers (web.shared_pages), stand-ins that each reader's request fills in."""
    if getattr(request, "page_shared", False):
        return {"page_shared": True, "csrf_token": CSRF_STAND_IN}
    return personal_counts(request)


def personal_counts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cart_count": 0, "unread_count": 0}
    return {"cart_count": cart_count(request.session), "unread_count": unread_count(user)}
