"""Pages every visitor shares: the installable app's manifest, its service worker, the offline
page, and a person's notifications."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from peken.notifications.selectors import notifications_of
from peken.notifications.services import notifications_read


@cache_control(max_age=86400)
def manifest(request):
    return JsonResponse(
        {
            "name": "Peken — belanja ASN di toko sekitar",
            "short_name": "Peken",
            "lang": "id",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b6e4f",
            "icons": [
                {"src": static("web/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("web/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {"src": static("web/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
    )


@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so it may control every page."""
    body = render(request, "web/sw.js", {"offline_assets": _offline_assets()}).content
    response = HttpResponse(body, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def _offline_assets() -> list[str]:
    return [
        "/offline/",
        static("peken/peken.css"),
        static("web/app.css"),
        static("web/app.js"),
        static("web/icon-192.png"),
    ]


def offline(request):
    return render(request, "web/offline.html")


@login_required
def notifications(request):
    items = list(notifications_of(request.user))
    notifications_read(user=request.user)
    return render(request, "web/notifications.html", {"items": items})


@require_POST
@login_required
def notifications_mark_read(request):
    notifications_read(user=request.user)
    return HttpResponse(status=204)
