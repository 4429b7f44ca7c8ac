"""Page numbers for the API's lists, with a last page: ninja's own take any page, and a deep
one asks the database for an OFFSET past 64 bits (a 500) long before it stops being useful."""

from ninja import Field, Schema
from ninja import pagination as ninja_pagination

PAGE_MAX = 10_000  # the longest list (the ASN roster, 13,000 at 50 a page) needs 260


class PageNumberPagination(ninja_pagination.PageNumberPagination):
    """ninja's PageNumberPagination; a page past PAGE_MAX is a 422 invalid_input."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1)
