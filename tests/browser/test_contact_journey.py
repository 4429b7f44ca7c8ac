"""Issue 17, newcomer's gap 2, in real Chromium on a 360 px phone: a warga orders and pays, then
the buyer and the shop each find a WhatsApp button on the order that opens a chat with the
other — the right number, the order's number in the text typed in."""

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in
from factories import KEDUNGDORO
from peken.ordering.models import Order


def with_password(user):
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def whatsapp_stub(context) -> None:
    """wa.me is the internet; the test machine may have none. The chat opens on a stub page."""
    context.route(
        "https://wa.me/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>WhatsApp</p>"),
    )


def chat_opened_by(page, link_name: str):
    """Clicks the contact link and returns (number, typed text) of the chat it opened."""
    link = page.get_by_role("link", name=link_name)
    expect(link).to_have_attribute("target", "_blank")
    with page.expect_popup() as opened:
        link.click()
    chat = urlsplit(opened.value.url)
    assert chat.netloc == "wa.me"
    return chat.path.strip("/"), parse_qs(chat.query)["text"][0]


def test_buyer_and_shop_reach_each_other_by_whatsapp_about_an_order(phone, browser, site):
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri", phone="0813-1111-2222")
    factories.product(shop, name="Minyak Goreng 2 liter", price=36_000)
    owner = with_password(shop.owner)
    buyer = with_password(factories.warga(KEDUNGDORO).user)  # phone 081234567890
    whatsapp_stub(phone.context)

    log_in(phone, buyer.username, DEMO_PASSWORD)
    box = phone.get_by_role("searchbox", name="Cari barang").first
    box.fill("minyak")
    box.press("Enter")
    phone.get_by_role("button", name="Tambah Minyak Goreng 2 liter ke keranjang").click()
    expect(phone.get_by_test_id("cart-count")).to_have_text("1")
    phone.goto("/keranjang/")
    phone.get_by_label("Ambil sendiri di toko").check()
    phone.get_by_role("button", name="Pesan dan bayar").click()
    phone.wait_for_url(re.compile(r"/bayar/PKN-"))
    phone.get_by_role("button", name="Bayar sekarang (simulasi)").click()
    expect(phone.get_by_text("Pembayaran diterima")).to_be_visible()
    order = Order.objects.get(buyer=buyer)

    phone.goto(f"/pesanan/{order.pk}/")
    expect(phone.get_by_test_id("order-status")).to_have_text("Dibayar")
    number, text = chat_opened_by(phone, "Hubungi toko (WhatsApp)")
    assert number == "6281311112222"  # the shop's phone, not its owner's
    assert f"#{order.pk}" in text and "Toko Bu Sri" in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    shop_context = browser.new_context(viewport=PHONE, locale="id-ID", base_url=site)
    shop_context.set_default_timeout(15_000)
    whatsapp_stub(shop_context)
    shop_phone = shop_context.new_page()
    log_in(shop_phone, owner.username, DEMO_PASSWORD)
    shop_phone.goto(f"/penjual/pesanan/{order.pk}/")
    expect(shop_phone.get_by_test_id("order-status")).to_have_text("Dibayar")
    number, text = chat_opened_by(shop_phone, "Hubungi pembeli (WhatsApp)")
    assert number == "6281234567890"
    assert f"#{order.pk}" in text
    # The inbox lists the order but no number: the phone is on the order's own page only.
    shop_phone.goto("/penjual/pesanan/")
    expect(shop_phone.locator(f"#pesanan-{order.pk}")).to_be_visible()
    expect(shop_phone.get_by_role("link", name="Hubungi pembeli (WhatsApp)")).to_have_count(0)
    shop_context.close()
