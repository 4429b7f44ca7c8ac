from django.db.models import QuerySet

from peken.catalog.models import Product
from peken.merchants.models import Merchant


def products_visible() -> QuerySet[Product]:
    """What buyers may see and order: active, approved products of verified merchants."""
    return Product.objects.filter(
        is_active=True,
        review=Product.Review.APPROVED,
        merchant__status=Merchant.Status.VERIFIED,
    )
