from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from peken.api import api
from peken.core import health
from peken.web import home
from peken.web.accounts import views as account_views
from peken.web.operations import metrics_view

urlpatterns = [
    path("", home.home, name="home"),
    # The operator's probes and metrics (README, "Running in production"); /sehat/ is the
    # older name of /healthz.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("sehat/", health.healthz, name="health"),
    path("masuk/", account_views.PekenLoginView.as_view(), name="login"),
    path("keluar/", account_views.logout_view, name="logout"),
    path("daftar/", account_views.sign_up, name="sign-up"),
    path("sandi/kode/", account_views.password_code_request, name="password-code-request"),
    path("sandi/baru/", account_views.password_code_redeem, name="password-code-redeem"),
    path("kelola/asn/impor/", account_views.roster_upload, name="roster-upload"),
    path("kelola/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kota/", include("peken.web.city.urls")),
    path("", include("peken.web.urls")),
]

# Peken's own error pages (JSON under /api/); see peken.core.error_pages.
handler400 = "peken.core.error_pages.bad_request"
handler403 = "peken.core.error_pages.permission_denied"
handler404 = "peken.core.error_pages.page_not_found"
handler500 = "peken.core.error_pages.server_error"

# Uploaded photos: served by Django only in development; production serves MEDIA_ROOT from the
# proxy in front (already re-encoded on upload, so they are plain WebP files).
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
