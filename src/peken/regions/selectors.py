from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.core.errors import NotFound
from peken.regions.models import Kecamatan, Kelurahan


class UnknownKecamatan(NotFound):
    code = "unknown_kecamatan"
    default_message = gettext_lazy("Kecamatan tidak dikenal.")


def kecamatan_list() -> QuerySet[Kecamatan]:
    return Kecamatan.objects.annotate(kelurahan_count=Count("kelurahan_set")).order_by("code")


def kelurahan_list(*, kecamatan_code: str | None = None) -> QuerySet[Kelurahan]:
    rows = Kelurahan.objects.select_related("kecamatan").order_by("code")
    if kecamatan_code:
        if not Kecamatan.objects.filter(code=kecamatan_code).exists():
            raise UnknownKecamatan(
                _("Kecamatan dengan kode '%(code)s' tidak dikenal.") % {"code": kecamatan_code}
            )
        rows = rows.filter(kecamatan__code=kecamatan_code)
    return rows
