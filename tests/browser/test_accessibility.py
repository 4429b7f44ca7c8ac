"""The pages people use, checked by axe-core in real Chromium on a phone, in Bahasa Indonesia and
in English: no serious or critical violation of any rule axe runs by default (WCAG 2.x A and AA
and best practices: contrast, labels, names of buttons, links and images, landmarks …).

What axe cannot see is checked by hand in the CSS (placeholder contrast, see app.css)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in
from payment_steps import KEDUNGDORO, charge, two_shop_checkout
from peken.obligations.models import ObligationRule

BLOCKING = {"serious", "critical"}
AXE = Axe()


def with_password(user):
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def blocking_violations(page) -> list[str]:
    """The page's serious and critical violations, one readable line each. Collapsed <details>
    are opened first, so what they hide is checked too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = AXE.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["html"][:160] for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.fixture
def city():
    """An ASN with a checkout of two shops waiting for payment, the owner of one of them, an
    officer with a shop to verify, an OPD admin, a resident about to open a shop, a city admin."""
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon=ObligationRule.ANY_ESELON, defaults={"amount": 500_000}
    )
    dinkopdag = factories.opd("DINKOPDAG", "Dinas Koperasi, UKM dan Perdagangan")
    buyer = with_password(factories.asn(KEDUNGDORO, opd=dinkopdag, golongan="III/a"))
    checkout, orders = two_shop_checkout(buyer)
    payment = charge(checkout)
    factories.merchant(KEDUNGDORO, status="submitted", name="Warung Bu Ani")
    order = orders[0]
    product = order.items.all()[0].product_id
    people = {
        None: None,
        "buyer": buyer,
        "owner": with_password(order.merchant.owner),
        "officer": with_password(factories.officer(kelurahan_code=KEDUNGDORO)),
        "opd_admin": with_password(factories.opd_admin(dinkopdag)),
        "newcomer": with_password(factories.warga(KEDUNGDORO).user),
        "city_admin": with_password(factories.user("adminkota", "city_admin")),
    }
    shop, order_page = f"/toko/{order.merchant_id}/", f"/pesanan/{order.pk}/"
    pages = {
        None: ["/", "/cari/?q=beras", shop, f"/barang/{product}/", "/masuk/"],
        "buyer": [
            "/",
            "/keranjang/",
            "/pesanan/",
            order_page,
            f"/bayar/{payment.reference}/",
            "/cari/?q=beras&min_price=9&max_price=1",  # refused: the message on the page
        ],
        "owner": [
            "/penjual/",
            "/penjual/pesanan/",
            f"/penjual{order_page}",
            "/penjual/barang/",
            f"/penjual/barang/{product}/",
            "/penjual/keuangan/",
        ],
        "officer": [
            "/petugas/",
            f"/petugas{shop}",
            "/petugas/daftarkan/",
            "/petugas/komplain/",
        ],
        "opd_admin": ["/opd/"],
        "newcomer": ["/penjual/daftar/"],
        "city_admin": ["/kota/"],
    }
    return people, pages, product


def add_to_cart(page, product_id: int) -> None:
    page.goto(f"/barang/{product_id}/")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.get_by_test_id("cart-count").filter(has_text="1").wait_for()


def test_the_main_pages_have_no_serious_accessibility_violation(phone, site, city):
    people, pages, product = city
    found = []
    for who, paths in pages.items():
        phone.context.clear_cookies()
        if who is not None:
            log_in(phone, people[who].username, DEMO_PASSWORD)
        if who == "buyer":
            add_to_cart(phone, product)  # the cart page with a line in it
        for language in ("id", "en"):
            phone.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
            for path in paths:
                phone.goto(path)  # whole pages from the server; htmx only polls afterwards
                assert phone.locator("html").get_attribute("lang") == language
                found.extend(f"{path} [{language}]: {line}" for line in blocking_violations(phone))
    assert not found, "\n".join(found)


def test_the_check_finds_an_unlabelled_input_and_faint_text(browser):
    """The check itself can fail: axe sees these faults on a page made to have them."""
    page = browser.new_page(viewport=PHONE)
    page.set_content(
        '<html lang="id"><body><main><h1>Uji</h1>'
        '<p style="color:#bbb;background:#fff">Teks pucat</p>'
        '<input type="text" name="q"><button></button></main></body></html>'
    )
    found = " ".join(blocking_violations(page))
    page.close()
    assert "color-contrast" in found and "label" in found and "button-name" in found
