from django.contrib import admin

from peken.admin_site import PekenModelAdmin
from peken.regions.models import Kecamatan, Kelurahan


@admin.register(Kecamatan)
class KecamatanAdmin(PekenModelAdmin):
    list_display = ["code", "name", "lat", "lon"]
    search_fields = ["code", "name"]


@admin.register(Kelurahan)
class KelurahanAdmin(PekenModelAdmin):
    list_display = ["code", "name", "kecamatan", "postal_code"]
    list_filter = ["kecamatan"]
    list_select_related = ["kecamatan"]
    search_fields = ["code", "name", "postal_code"]
