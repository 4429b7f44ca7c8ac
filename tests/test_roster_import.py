"""The ASN roster import: a clean file upserts by NIP; any bad row writes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

import factories
from peken.accounts.models import AsnProfile, Role, RoleGrant, User
from peken.accounts.roster import roster_import
from peken.core.models import AuditEntry
from peken.core.tabular import FileRejected, ImportRejected
from peken.demo.people import roster_csv, roster_rows, roster_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    return [factories.opd("DINKES"), factories.opd("DISHUB", "Dinas Perhubungan")]


def make_rows(count=5, seed=7):
    return roster_rows(
        count,
        opd_codes=["DINKES", "DISHUB"],
        kelurahan_codes=["35.78.05.1003", "35.78.01.1001", "35.78.12.1006"],
        kecamatan_codes=["35.78.05"],
        seed=seed,
        outside_city_share=0.0,
    )


def snapshot_people():
    return (
        sorted(AsnProfile.objects.values_list("nip", "golongan", "opd__code", "is_active")),
        User.objects.count(),
        RoleGrant.objects.count(),
    )


def test_a_clean_csv_creates_every_asn_with_the_asn_role(agencies):
    rows = make_rows(5)
    result = roster_import(data=roster_csv(rows), actor="tests")
    assert (result.total, result.created, result.updated) == (5, 5, 0)
    profile = AsnProfile.objects.select_related("user", "opd").get(nip=rows[0]["NIP"])
    assert profile.user.username == rows[0]["NIP"]
    assert profile.user.nik == rows[0]["NIK"]
    assert profile.user.full_name == rows[0]["Nama"]
    assert profile.opd.code == rows[0]["Kode OPD"]
    assert profile.domicile_kelurahan.code == rows[0]["Kode Kelurahan Domisili"]
    assert profile.user.has_role(Role.ASN)
    assert not profile.user.has_usable_password()


def test_xlsx_and_windows_csv_import_the_same_people(agencies):
    rows = make_rows(4)
    rows[0]["Nama"] = "Siti Nurhalizah Ñoño"
    roster_import(data=roster_xlsx(rows), actor="tests")
    first = snapshot_people()
    roster_import(data=roster_csv(rows, delimiter=";", encoding="cp1252"), actor="tests")
    assert snapshot_people() == first
    assert User.objects.get(username=rows[0]["NIP"]).full_name == "Siti Nurhalizah Ñoño"


def test_headers_are_matched_whatever_their_case_and_spacing(agencies):
    rows = make_rows(2)
    data = roster_csv(rows).replace(b"Kode OPD", b"  KODE_opd ").replace(b"NIP", b"nip")
    assert roster_import(data=data, actor="tests").created == 2


def test_reimport_updates_by_nip_and_audits_each_change(agencies):
    rows = make_rows(3)
    roster_import(data=roster_csv(rows), actor="tests")
    rows[1]["Golongan"] = "IV/e"
    rows[1]["Kode OPD"] = "DISHUB"
    result = roster_import(data=roster_csv(rows), actor="tests")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    profile = AsnProfile.objects.get(nip=rows[1]["NIP"])
    assert (profile.golongan, profile.opd.code) == ("IV/e", "DISHUB")
    entry = AuditEntry.objects.get(action="asn.update", target_id=str(profile.pk))
    assert entry.after["golongan"] == "IV/e" and entry.before["golongan"] != "IV/e"
    assert AuditEntry.objects.filter(action="asn.roster_import").count() == 2


def test_deactivate_missing_only_when_asked(agencies):
    rows = make_rows(4)
    roster_import(data=roster_csv(rows), actor="tests")
    roster_import(data=roster_csv(rows[:3]), actor="tests")
    assert AsnProfile.objects.filter(is_active=True).count() == 4
    result = roster_import(data=roster_csv(rows[:3]), actor="tests", deactivate_missing=True)
    assert result.deactivated == 1
    assert not AsnProfile.objects.get(nip=rows[3]["NIP"]).is_active
    assert AuditEntry.objects.filter(action="asn.deactivate", target_repr=rows[3]["NIP"]).exists()
    # Back in the roster, back to active.
    roster_import(data=roster_csv(rows), actor="tests")
    assert AsnProfile.objects.get(nip=rows[3]["NIP"]).is_active


def test_an_asn_living_outside_the_city_is_mapped_by_workplace_kecamatan(agencies):
    rows = make_rows(1)
    rows[0]["Kode Kelurahan Domisili"] = ""
    rows[0]["Kode Kecamatan Kerja"] = "35.78.05"
    roster_import(data=roster_csv(rows), actor="tests")
    profile = AsnProfile.objects.get(nip=rows[0]["NIP"])
    assert profile.domicile_kelurahan is None and profile.workplace_kecamatan.code == "35.78.05"


def test_an_existing_warga_who_becomes_asn_keeps_their_account(agencies):
    warga = factories.warga()
    rows = make_rows(1)
    rows[0]["NIK"] = warga.user.nik
    roster_import(data=roster_csv(rows), actor="tests")
    profile = AsnProfile.objects.get(nip=rows[0]["NIP"])
    assert profile.user_id == warga.user_id
    assert profile.user.has_role(Role.ASN) and profile.user.has_role(Role.WARGA)


BAD_VALUES = [
    ("NIP", "19900312201503100", "nip", "18 angka"),
    ("NIP", "19900312201503100X", "nip", "18 angka"),
    ("NIP", "199002302015031001", "nip", "tanggal lahir"),
    ("NIK", "357801120390001", "nik", "16 angka"),
    ("NIK", "35780112039000A1", "nik", "16 angka"),
    ("NIK", "3578013202900001", "nik", "tanggal lahir"),
    ("Kode Kelurahan Domisili", "35.78.99.9999", "kode_kelurahan_domisili", "tidak dikenal"),
    ("Kode OPD", "DINAS-FIKTIF", "kode_opd", "tidak dikenal"),
    ("Golongan", "V/z", "golongan", "tidak dikenal"),
    ("Nama", "", "nama", "wajib"),
]


@pytest.mark.parametrize("column, value, reported_column, fragment", BAD_VALUES)
def test_one_bad_row_is_reported_by_line_and_column_and_nothing_is_written(
    agencies, column, value, reported_column, fragment
):
    existing = make_rows(2, seed=1)
    roster_import(data=roster_csv(existing), actor="tests")
    before = snapshot_people()
    rows = make_rows(6, seed=2)
    rows[3][column] = value
    with pytest.raises(ImportRejected) as caught:
        roster_import(data=roster_csv(rows), actor="tests", deactivate_missing=True)
    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [(5, reported_column)]
    assert fragment in problems[0].message
    assert snapshot_people() == before


def test_every_bad_row_is_reported_in_one_pass(agencies):
    rows = make_rows(10)
    rows[1]["NIK"] = "123"
    rows[4]["NIP"] = "abc"
    rows[8]["Kode OPD"] = "X"
    with pytest.raises(ImportRejected) as caught:
        roster_import(data=roster_csv(rows), actor="tests")
    assert [p.line for p in caught.value.problems] == [3, 6, 10]
    assert caught.value.as_dict()["errors"][0] == {
        "line": 3,
        "column": "nik",
        "message": "NIK harus 16 angka.",
    }


def test_duplicate_nips_and_niks_in_one_file_are_refused(agencies):
    rows = make_rows(4)
    rows[2]["NIP"] = rows[0]["NIP"]
    rows[3]["NIK"] = rows[1]["NIK"]
    with pytest.raises(ImportRejected) as caught:
        roster_import(data=roster_csv(rows), actor="tests")
    messages = {(p.line, p.column): p.message for p in caught.value.problems}
    assert "baris 2" in messages[(4, "nip")]
    assert "baris 3" in messages[(5, "nik")]
    assert "*" in messages[(5, "nik")]  # the NIK itself is masked in the error
    assert AsnProfile.objects.count() == 0


def test_a_nik_of_another_asn_is_refused(agencies):
    first = make_rows(1, seed=1)
    roster_import(data=roster_csv(first), actor="tests")
    second = make_rows(1, seed=2)
    second[0]["NIK"] = first[0]["NIK"]
    with pytest.raises(ImportRejected) as caught:
        roster_import(data=roster_csv(second), actor="tests")
    assert "ASN lain" in caught.value.problems[0].message


def test_a_missing_column_is_named(agencies):
    data = roster_csv(make_rows(2)).replace(b"Golongan", b"Pangkat")
    with pytest.raises(FileRejected) as caught:
        roster_import(data=data, actor="tests")
    assert caught.value.details["missing_columns"] == ["golongan"]
    assert "golongan" in caught.value.message


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "kosong"),
        (b"NIP,NIK,Nama,Golongan,Kode OPD,Kode Kelurahan Domisili\n", "tidak berisi baris data"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "bukan spreadsheet"),
        (b"Selamat pagi, berikut daftar ASN kami.\n", "Kolom wajib"),
    ],
    ids=["empty", "header-only", "pdf", "prose"],
)
def test_files_that_are_not_rosters_are_refused(agencies, data, fragment):
    with pytest.raises(FileRejected) as caught:
        roster_import(data=data, actor="tests")
    assert fragment in caught.value.message
    assert AsnProfile.objects.count() == 0


@override_settings(PEKEN_ROSTER_MAX_BYTES=20 * 1024 * 1024)
def test_a_50_megabyte_file_is_refused_before_reading(agencies):
    data = roster_csv(make_rows(1)) + b"x" * (50 * 1024 * 1024)
    with pytest.raises(FileRejected) as caught:
        roster_import(data=data, actor="tests")
    assert "terlalu besar" in caught.value.message
    assert AsnProfile.objects.count() == 0


def test_command_imports_and_reports(agencies, tmp_path):
    path = tmp_path / "asn.csv"
    path.write_bytes(roster_csv(make_rows(3)))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_asn", str(path), stdout=out, stderr=err)
    assert "3 baru" in out.getvalue()
    assert AsnProfile.objects.count() == 3


def test_command_prints_every_problem_and_fails(agencies, tmp_path):
    rows = make_rows(3)
    rows[1]["NIK"] = "1"
    path = tmp_path / "asn.csv"
    path.write_bytes(roster_csv(rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_asn", str(path), stdout=io.StringIO(), stderr=err)
    assert "baris 3, kolom nik: NIK harus 16 angka." in err.getvalue()
    assert AsnProfile.objects.count() == 0


def test_api_upload_is_for_city_admins_and_lists_errors(agencies, api, city_admin):
    rows = make_rows(3)
    upload = io.BytesIO(roster_csv(rows))
    upload.name = "asn.csv"
    officer = factories.officer(kelurahan_code="35.78.05.1003")
    refused = api(officer).client.post(
        "/api/v1/people/asn/import",
        {"file": upload},
        headers=api(officer).headers,
    )
    assert refused.status_code == 403
    upload.seek(0)
    client = api(city_admin)
    accepted = client.client.post(
        "/api/v1/people/asn/import", {"file": upload}, headers=client.headers
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["created"] == 3
    rows[0]["NIK"] = "12"
    bad = io.BytesIO(roster_csv(rows))
    bad.name = "asn.csv"
    rejected = client.client.post(
        "/api/v1/people/asn/import", {"file": bad}, headers=client.headers
    )
    assert rejected.status_code == 422
    assert rejected.json()["code"] == "import_invalid"
    assert rejected.json()["errors"][0]["line"] == 2


def test_upload_page_shows_results_and_errors(agencies, client, city_admin):
    client.force_login(city_admin)
    rows = make_rows(2)
    page = client.get("/kelola/asn/impor/")
    assert page.status_code == 200 and "Impor daftar ASN" in page.content.decode()
    upload = io.BytesIO(roster_xlsx(rows))
    upload.name = "asn.xlsx"
    done = client.post("/kelola/asn/impor/", {"file": upload})
    assert "Impor berhasil" in done.content.decode()
    rows[1]["Kode OPD"] = "TIDAKADA"
    upload = io.BytesIO(roster_xlsx(rows))
    upload.name = "asn.xlsx"
    failed = client.post("/kelola/asn/impor/", {"file": upload})
    assert failed.status_code == 422
    assert "Kode OPD &#x27;TIDAKADA&#x27; tidak dikenal." in failed.content.decode()


def test_upload_page_is_closed_to_other_roles(client):
    client.force_login(factories.user(None, Role.ASN))
    assert client.get("/kelola/asn/impor/").status_code == 403


@override_settings(PEKEN_ROSTER_MAX_BYTES=1024 * 1024)
def test_api_refuses_an_oversized_upload_with_a_code(agencies, api, city_admin):
    upload = io.BytesIO(roster_csv(make_rows(1)) + b"x" * (2 * 1024 * 1024))
    upload.name = "asn.csv"
    client = api(city_admin)
    response = client.client.post(
        "/api/v1/people/asn/import", {"file": upload}, headers=client.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "file_invalid"
    assert "terlalu besar" in response.json()["message"]
