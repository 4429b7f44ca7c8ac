"""The city dashboard in a real browser: a city admin picks a month, the charts are drawn by the
vendored Chart.js, the kecamatan map is there without a tile server, the page fits a phone, and
the monthly report prints."""

import datetime as dt
import random

import time_machine

import factories
from browser_steps import PHONE, log_in, screenshot
from peken.accounts.models import Role
from peken.core.months import WIB, Month
from peken.reports.selectors import months_up_to
from reports.month_steps import MONTH, city_build, moment, month_generate, one_checkout

DESKTOP = {"width": 1280, "height": 900}
A_YEAR_BEFORE = dt.datetime(2025, 2, 1, 9, 0, tzinfo=WIB)


def city_with_a_year_of_orders():
    with time_machine.travel(A_YEAR_BEFORE, tick=False):
        city = city_build()
    month_generate(city)
    rng = random.Random(3)
    for number, earlier in enumerate(months_up_to(Month(2026, 1), 11)):
        for checkout in range(5 + number % 4):  # some orders in each month before
            one_checkout(city, rng, moment(rng.randint(1, 28), 11, month=earlier), checkout)
    admin = factories.user("kantorkota", Role.CITY_ADMIN)
    return city, admin


def test_a_city_admin_reads_the_month_on_a_desktop_and_a_phone(browser, site):
    _, admin = city_with_a_year_of_orders()
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", base_url=site)
    page = context.new_page()
    log_in(page, admin.username, factories.PASSWORD)
    page.goto("/kota/")
    page.get_by_label("Bulan (WIB)").fill(str(MONTH))
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_load_state()
    assert "month=2026-03" in page.url
    for canvas in ("#grafik-harian", "#grafik-bulanan", "#grafik-lorenz"):
        page.wait_for_function(
            "selector => document.querySelector(selector).dataset.drawn === '1'", arg=canvas
        )
        box = page.locator(canvas).bounding_box()
        assert box["width"] > 200 and box["height"] > 100
    assert page.evaluate("typeof Chart") == "function"
    assert page.evaluate("Chart.version") == "4.6.1"
    city_map = page.get_by_test_id("kecamatan-map")
    assert city_map.locator("circle").count() == 31
    assert city_map.locator("text", has_text="Tegalsari").count() == 1
    screenshot(page, "city-dashboard")
    city_map.evaluate("map => map.scrollIntoView({block: 'center'})")
    screenshot(page, "city-dashboard-map")
    page.locator("#grafik-lorenz").evaluate("chart => chart.scrollIntoView({block: 'center'})")
    screenshot(page, "city-dashboard-equity")

    page.get_by_test_id("report-link").click()
    page.wait_for_load_state()
    page.wait_for_function("document.querySelector('#grafik-harian').dataset.drawn === '1'")
    assert page.get_by_role("heading", name="Laporan bulanan Peken — Maret 2026").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    assert not page.get_by_role("button", name="Cetak laporan").is_visible()
    page.emulate_media(media="screen")
    screenshot(page, "city-report")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    context.close()

    phone = browser.new_context(viewport=PHONE, locale="id-ID", base_url=site).new_page()
    log_in(phone, admin.username, factories.PASSWORD)
    phone.goto("/kota/?month=2026-03")
    phone.wait_for_function("document.querySelector('#grafik-harian').dataset.drawn === '1'")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "city-dashboard-phone")
    phone.context.close()
