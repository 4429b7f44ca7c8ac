from django.db.models import QuerySet

from peken.merchants.models import Merchant


def merchants_visible() -> QuerySet[Merchant]:
    """Merchants buyers may see: verified ones only."""
    return Merchant.objects.filter(status=Merchant.Status.VERIFIED)
