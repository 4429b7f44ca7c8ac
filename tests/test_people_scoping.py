"""Officers act only in their area, OPD admins only on their OPD; NIK masked in every list."""

import pytest

import factories
from factories import KARANG_PILANG, KEDUNGDORO, KEPUTRAN
from peken.accounts.models import Role
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_officer_edits_warga_of_their_kelurahan_and_it_is_audited(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    warga = factories.warga(KEDUNGDORO)
    response = api(officer).patch(f"/people/warga/{warga.pk}", {"phone": "0813 1111 2222"})
    assert response.status_code == 200, response.content
    warga.user.refresh_from_db()
    assert warga.user.phone == "081311112222"
    entry = AuditEntry.objects.get(action="warga.update")
    assert entry.actor_id == officer.pk
    assert entry.before == {"phone": "0812****7890"}
    assert entry.after == {"phone": "0813****2222"}


def test_officer_cannot_act_on_another_kelurahan(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    warga = factories.warga(KARANG_PILANG)
    response = api(officer).patch(f"/people/warga/{warga.pk}", {"full_name": "Diganti"})
    assert response.status_code == 403
    assert response.json()["code"] == "outside_area"
    warga.user.refresh_from_db()
    assert warga.user.full_name != "Diganti"
    assert not AuditEntry.objects.filter(action="warga.update").exists()


def test_officer_cannot_move_a_warga_out_of_their_area(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    warga = factories.warga(KEDUNGDORO)
    response = api(officer).patch(f"/people/warga/{warga.pk}", {"kelurahan_code": KARANG_PILANG})
    assert response.status_code == 403
    warga.refresh_from_db()
    assert warga.kelurahan.code == KEDUNGDORO


def test_kecamatan_officer_covers_every_kelurahan_of_the_kecamatan(api):
    officer = factories.officer(kecamatan_code="35.78.05")
    inside = factories.warga(KEPUTRAN)
    outside = factories.warga(KARANG_PILANG)
    client = api(officer)
    assert (
        client.patch(f"/people/warga/{inside.pk}", {"address": "Jl. Keputran 1"}).status_code == 200
    )
    assert client.patch(f"/people/warga/{outside.pk}", {"address": "x"}).status_code == 403


def test_officer_lists_only_their_area_with_nik_masked(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    mine = factories.warga(KEDUNGDORO)
    factories.warga(KARANG_PILANG)
    body = api(officer).get("/people/warga").json()
    assert [item["id"] for item in body["items"]] == [mine.pk]
    assert body["items"][0]["nik"] == mine.user.nik[:4] + "********" + mine.user.nik[-4:]
    assert body["items"][0]["phone"] == "0812****7890"


def test_warga_outside_the_area_is_not_found_in_detail(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    other = factories.warga(KARANG_PILANG)
    assert api(officer).get(f"/people/warga/{other.pk}").status_code == 404


def test_officer_registers_a_warga_only_in_their_area(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    payload = {
        "full_name": "Mbok Sumi",
        "nik": factories.valid_nik(female=True),
        "phone": "081298765432",
        "kelurahan_code": KEDUNGDORO,
    }
    created = api(officer).post("/people/warga", payload)
    assert created.status_code == 201, created.content
    assert created.json()["nik"] == payload["nik"]  # the officer of the area sees it in clear
    assert AuditEntry.objects.filter(action="warga.register", actor=officer).exists()
    elsewhere = api(officer).post(
        "/people/warga", {**payload, "nik": factories.valid_nik(), "kelurahan_code": KARANG_PILANG}
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "outside_area"


@pytest.mark.parametrize("role", [Role.ASN, Role.WARGA, Role.MERCHANT, Role.AUDITOR])
def test_other_roles_cannot_edit_warga(api, role):
    warga = factories.warga(KEDUNGDORO)
    response = api(factories.user(None, role)).patch(f"/people/warga/{warga.pk}", {"address": "x"})
    assert response.status_code == 403


def test_nik_in_detail_is_clear_only_to_whom_it_concerns(api, city_admin, auditor):
    warga = factories.warga(KEDUNGDORO)
    nik = warga.user.nik
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    assert api(officer).get(f"/people/warga/{warga.pk}").json()["nik"] == nik
    assert api(city_admin).get(f"/people/warga/{warga.pk}").json()["nik"] == nik
    assert (
        api(auditor).get(f"/people/warga/{warga.pk}").json()["nik"] == nik[:4] + "*" * 8 + nik[-4:]
    )
    assert api(warga.user).get("/me").json()["nik"] == nik
    # A city admin's list is still masked.
    listed = api(city_admin).get("/people/warga").json()["items"]
    assert nik not in str(listed)


def test_opd_admin_sees_only_their_opd(api, city_admin):
    from peken.accounts.roster import roster_import
    from peken.demo.people import roster_csv, roster_rows

    health, transport = factories.opd("DINKES"), factories.opd("DISHUB", "Dinas Perhubungan")
    rows = roster_rows(
        6,
        opd_codes=["DINKES", "DISHUB"],
        kelurahan_codes=[KEDUNGDORO],
        kecamatan_codes=["35.78.05"],
        seed=3,
    )
    roster_import(data=roster_csv(rows), actor="tests")
    admin_of_health = factories.opd_admin(health)
    mine = api(admin_of_health).get("/people/asn").json()["items"]
    assert {item["opd_code"] for item in mine} == {"DINKES"} and len(mine) == 3
    assert all("*" in item["nik"] for item in mine)
    refused = api(admin_of_health).get("/people/asn", {"opd": transport.code})
    assert refused.status_code == 403
    assert len(api(city_admin).get("/people/asn").json()["items"]) == 6
    assert api(factories.user(None, Role.ASN)).get("/people/asn").status_code == 403


def test_list_pages_use_a_fixed_number_of_queries(api, city_admin, django_assert_max_num_queries):
    for _ in range(15):
        factories.warga(KEDUNGDORO)
    client = api(city_admin)
    with django_assert_max_num_queries(6):
        assert len(client.get("/people/warga").json()["items"]) == 15
