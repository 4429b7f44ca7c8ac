"""The shell every page shares: it fits a 360 px phone, installs, and works offline."""

from browser_steps import PHONE


def test_the_home_page_fits_a_phone_and_offers_the_manifest(phone):
    phone.goto("/")
    assert phone.locator("link[rel=manifest]").count() == 1
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    manifest = phone.request.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["icons"]


def test_the_service_worker_serves_the_offline_page(phone):
    phone.goto("/")
    phone.wait_for_function(
        "navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready"
    )
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()  # controlled from here on
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)
    phone.goto("/cari/?q=beras")
    assert "Tidak ada sambungan internet" in phone.content()
    phone.context.set_offline(False)
