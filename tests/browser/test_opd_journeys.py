"""An OPD admin in real Chromium on a 360 px phone: who of the staff has not met this month's
obligation, and the list downloaded as a real Excel file."""

from openpyxl import load_workbook
from playwright.sync_api import expect

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in, screenshot
from payment_steps import KEDUNGDORO, charge, pay
from peken.accounts.models import AsnProfile
from peken.obligations.models import ObligationRule
from peken.ordering.services import checkout_place


def test_an_opd_admin_sees_a_non_compliant_staff_member_and_exports_the_list(phone, tmp_path):
    dinkopdag = factories.opd("DINKOPDAG", "Dinas Koperasi, UKM dan Perdagangan")
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon="*", defaults={"amount": 500_000}
    )
    diligent = factories.asn(KEDUNGDORO, opd=dinkopdag, golongan="III/a")
    behind = factories.asn(KEDUNGDORO, opd=dinkopdag, golongan="III/a")
    shop = factories.merchant(KEDUNGDORO, name="Toko Dekat Kantor")
    rice = factories.product(shop, name="Beras 25 kg", price=500_000, stock=3)
    placed = checkout_place(buyer=diligent, lines=[(rice.pk, 1)], fulfilment="pickup")
    pay(charge(placed.checkout))
    behind_nip = AsnProfile.objects.get(user=behind).nip
    diligent_nip = AsnProfile.objects.get(user=diligent).nip
    admin = factories.opd_admin(dinkopdag)
    admin.set_password(DEMO_PASSWORD)
    admin.save()

    log_in(phone, admin.username, DEMO_PASSWORD)
    phone.goto("/opd/")
    behind_row = phone.locator(f"tr[data-nip='{behind_nip}']")
    expect(behind_row).to_contain_text("Belum memenuhi")
    expect(behind_row).to_contain_text("Rp 500.000")  # the whole obligation is still owed
    expect(phone.locator(f"tr[data-nip='{diligent_nip}']")).to_contain_text("Memenuhi")
    expect(phone.get_by_test_id("unmet")).to_have_text("1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "opd-compliance")

    phone.get_by_label("Hanya yang belum memenuhi").check()
    phone.get_by_role("button", name="Tampilkan").click()
    expect(phone.locator("tr[data-nip]")).to_have_count(1)

    with phone.expect_download() as download_info:
        phone.get_by_test_id("export").click()
    download = download_info.value
    month = phone.get_by_label("Bulan", exact=True).input_value()
    assert download.suggested_filename == f"kepatuhan-DINKOPDAG-{month}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    assert "DINKOPDAG" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(row[0], row[6], row[7]) for row in rows] == [(behind_nip, 500_000, "Belum memenuhi")]
