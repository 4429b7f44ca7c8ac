"""Buyers rate the shop of a completed order: 1 to 5 stars and a short comment, once."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.accounts.models import User
from peken.core.errors import Conflict, InvalidInput, PermissionDenied
from peken.ordering.models import Order, ShopReview


class ReviewNotAllowed(Conflict):
    code = "review_not_allowed"
    default_message = gettext_lazy("Ulasan hanya untuk pesanan yang selesai, satu kali.")


def review_submit(*, buyer: User, order: Order, rating: int, comment: str = "") -> ShopReview:
    if order.buyer_id != buyer.pk:
        raise PermissionDenied(_("Hanya pembeli pesanan ini yang dapat memberi ulasan."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Beri nilai 1 sampai 5 bintang."), field="rating")
    if order.status != Order.Status.COMPLETED:
        raise ReviewNotAllowed(_("Ulasan dapat diberikan setelah pesanan selesai."))
    comment = " ".join((comment or "").split())[:500]
    try:
        with transaction.atomic():
            return ShopReview.objects.create(
                order=order,
                merchant_id=order.merchant_id,
                buyer=buyer,
                rating=rating,
                comment=comment,
            )
    except IntegrityError as error:
        raise ReviewNotAllowed(_("Pesanan ini sudah diberi ulasan.")) from error


def shop_rating(merchant_id: int) -> tuple[float | None, int]:
    """(average stars rounded to one decimal, number of reviews)."""
    row = ShopReview.objects.filter(merchant_id=merchant_id).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    average = round(row["average"], 1) if row["average"] is not None else None
    return average, row["count"]


@dataclass(frozen=True)
class ReviewShown:
    """A review as other buyers read it: no NIK, no username, no full name."""

    rating: int
    comment: str
    reviewer: str
    created_at: dt.datetime


def shop_reviews(merchant_id: int, *, limit: int = 10) -> list[ReviewShown]:
    """The shop's newest reviews."""
    rows = (
        ShopReview.objects.filter(merchant_id=merchant_id)
        .select_related("buyer")
        .only("rating", "comment", "created_at", "buyer__full_name")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        ReviewShown(row.rating, row.comment, reviewer_name(row.buyer.full_name), row.created_at)
        for row in rows
    ]


def reviewer_name(full_name: str) -> str:
    """ "Siti Aminah Rahayu" → "Siti R.": enough to tell reviewers apart, not to look them up.
    Never the username, which may be a NIK."""
    words = full_name.split()
    if not words:
        return _("Pembeli")
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0]}."
