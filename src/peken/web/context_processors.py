from peken.web.shared_pages import CSRF_STAND_IN, personal_counts


def web(request) -> dict:
    """What the layout shows on every page: the cart's size and unread notifications; on a page
    drawn for many readers (web.shared_pages), stand-ins that each reader's request fills in."""
    if getattr(request, "page_shared", False):
        return {"page_shared": True, "csrf_token": CSRF_STAND_IN}
    return personal_counts(request)
