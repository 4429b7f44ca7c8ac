from peken.notifications.selectors import unread_count
from peken.web.cart import cart_count


def web(request) -> dict:
    """What the layout shows on every page: the cart's size and unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cart_count": 0, "unread_count": 0}
    return {"cart_count": cart_count(request.session), "unread_count": unread_count(user)}
