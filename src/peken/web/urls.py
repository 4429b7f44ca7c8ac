"""The web app's addresses, one module per audience; all named in the `web` namespace."""

from django.urls import path

from peken.web import views
from peken.web.buyer.urls import urlpatterns as buyer
from peken.web.merchant.urls import urlpatterns as merchant
from peken.web.officer.urls import urlpatterns as officer
from peken.web.opd.urls import urlpatterns as opd

app_name = "web"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
    path("notifikasi/", views.notifications, name="notifications"),
    *buyer,
    *merchant,
    *officer,
    *opd,
]
