import csv
from pathlib import Path

import pytest

from peken.core.models import AuditEntry
from peken.core.tabular import FileRejected, ImportRejected
from peken.regions.models import Kecamatan, Kelurahan
from peken.regions.services import BUNDLED_REGIONS, regions_import

# The source summary of the city's kecamatan, copied into the repo (tests/data/README.md).
KECAMATAN_SUMMARY = Path(__file__).resolve().parent / "data" / "surabaya_kecamatan.csv"
HEADER = "kecamatan_code,kecamatan_name,kelurahan_code,kelurahan_name,postal_code,lat,lon\n"

pytestmark = pytest.mark.django_db


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_bundled_fixture_loaded_31_kecamatan_and_153_kelurahan():
    assert Kecamatan.objects.count() == 31
    assert Kelurahan.objects.count() == 153


def test_bundled_fixture_matches_the_source_summary_of_kecamatan():
    summary = {row["kecamatan_code"]: row for row in read_rows(KECAMATAN_SUMMARY)}
    bundled = read_rows(BUNDLED_REGIONS)
    assert len(summary) == 31 and len(bundled) == 153
    assert {(r["kecamatan_code"], r["kecamatan_name"]) for r in bundled} == {
        (code, row["kecamatan_name"]) for code, row in summary.items()
    }
    for code, row in summary.items():
        kelurahan = [r for r in bundled if r["kecamatan_code"] == code]
        assert len(kelurahan) == int(row["n_kelurahan"]), code
        postal_codes = sorted({r["postal_code"] for r in kelurahan})
        assert postal_codes == sorted(set(row["postal_codes_of_kelurahan"].split(";"))), code
        assert all(r["kelurahan_code"].startswith(code + ".") for r in kelurahan), code
    database = set(Kelurahan.objects.values_list("code", "name"))
    assert database == {(r["kelurahan_code"], r["kelurahan_name"]) for r in bundled}


def test_import_upserts_by_code_and_is_audited():
    data = (
        HEADER
        + "35.78.01,Karang Pilang,35.78.01.1001,Karang Pilang Baru,60221,-7.34,112.69\n"
        + "35.99.01,Kota Uji,35.99.01.1001,Kelurahan Uji,61111,-7.1,112.1\n"
    ).encode()
    result = regions_import(data=data, actor="tests")
    assert (result.kelurahan_created, result.kelurahan_updated) == (1, 1)
    assert (result.kecamatan_created, result.kecamatan_updated) == (1, 1)
    assert Kelurahan.objects.get(code="35.78.01.1001").name == "Karang Pilang Baru"
    assert Kelurahan.objects.get(code="35.99.01.1001").kecamatan.name == "Kota Uji"
    assert AuditEntry.objects.filter(action="regions.import", actor_name="tests").exists()


def test_reimporting_the_bundled_file_changes_nothing():
    data = BUNDLED_REGIONS.read_bytes()
    result = regions_import(data=data, actor="tests")
    assert result.kelurahan_created == result.kelurahan_updated == 0
    assert result.kecamatan_created == result.kecamatan_updated == 0


@pytest.mark.parametrize(
    "line, column",
    [
        ("35.78.01,Karang Pilang,35.78.02.1001,X,60221,-7.3,112.6", "kelurahan_code"),
        ("35.78.1,Karang Pilang,35.78.1.1001,X,60221,-7.3,112.6", "kecamatan_code"),
        ("35.78.01,Karang Pilang,35.78.01.9001,,60221,-7.3,112.6", "kelurahan_name"),
        ("35.78.01,Karang Pilang,35.78.01.9001,X,6022,-7.3,112.6", "postal_code"),
        ("35.78.01,Karang Pilang,35.78.01.9001,X,60221,utara,112.6", "lat"),
        ("35.78.01,Karang Pilang,35.78.01.9001,X,60221,-7.3,212.6", "lon"),
        ("35.78.01,Karangpilang,35.78.01.9001,X,60221,-7.3,112.6", "kecamatan_name"),
        ("35.78.01,Karang Pilang,35.78.01.1001,X,60221,-7.3,112.6", "kelurahan_code"),
    ],
)
def test_a_bad_line_is_reported_by_line_and_nothing_is_written(line, column):
    good = "35.78.01,Karang Pilang,35.78.01.1001,Karang Pilang,60221,-7.34,112.69\n"
    data = HEADER + good + "35.78.01,Karang Pilang,35.78.01.9999,Baru,60221,-7.3,112.6\n" + line
    before = list(Kelurahan.objects.values_list("code", "name", "postal_code", "lat", "lon"))
    with pytest.raises(ImportRejected) as caught:
        regions_import(data=data.encode(), actor="tests")
    problems = [(p.line, p.column) for p in caught.value.problems]
    assert (4, column) in problems
    assert {line for line, _ in problems} == {4}
    assert caught.value.code == "import_invalid"
    assert (
        list(Kelurahan.objects.values_list("code", "name", "postal_code", "lat", "lon")) == before
    )
    assert not Kelurahan.objects.filter(code="35.78.01.9999").exists()


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(FileRejected) as caught:
        regions_import(data=b"kode,nama\n35.78.01,Karang Pilang\n", actor="tests")
    assert "kelurahan_code" in caught.value.message


def test_api_lists_the_31_kecamatan_with_centroids(api):
    response = api().get("/regions/kecamatan")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 31
    first = body[0]
    assert first["code"] == "35.78.01" and first["name"] == "Karang Pilang"
    assert -8 < first["lat"] < -7 and 112 < first["lon"] < 113
    assert sum(item["kelurahan_count"] for item in body) == 153


def test_api_lists_the_153_kelurahan_and_filters_by_kecamatan(api):
    everything = api().get("/regions/kelurahan").json()
    assert len(everything) == 153
    tegalsari = api().get("/regions/kelurahan", {"kecamatan": "35.78.05"}).json()
    assert {item["kecamatan_code"] for item in tegalsari} == {"35.78.05"}
    assert "Kedungdoro" in {item["name"] for item in tegalsari}


def test_api_unknown_kecamatan_is_a_404_with_a_code(api):
    response = api().get("/regions/kelurahan", {"kecamatan": "99.99.99"})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_kecamatan"


def test_region_queries_are_few(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        api().get("/regions/kelurahan")
