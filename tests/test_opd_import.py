import io

import pytest
from django.core.management import call_command

from peken.accounts.models import OPD
from peken.accounts.services import opd_import
from peken.core.models import AuditEntry
from peken.core.tabular import ImportRejected

pytestmark = pytest.mark.django_db


def test_opd_list_is_upserted_by_code(tmp_path):
    path = tmp_path / "opd.csv"
    path.write_text(
        "Kode;Nama;Jenis\nDINKES;Dinas Kesehatan;dinas\nBKPSDM;Badan Kepegawaian;Badan\n"
    )
    call_command("import_opd", str(path), stdout=io.StringIO())
    assert dict(OPD.objects.values_list("code", "kind")) == {"DINKES": "dinas", "BKPSDM": "badan"}
    result = opd_import(data=b"kode,nama,jenis\nDINKES,Dinas Kesehatan Kota,dinas\n", actor="tests")
    assert (result.created, result.updated) == (0, 1)
    assert OPD.objects.get(code="DINKES").name == "Dinas Kesehatan Kota"
    assert AuditEntry.objects.filter(action="opd.import").count() == 2


def test_bad_opd_rows_are_all_reported_and_nothing_written():
    data = (
        b"kode,nama,jenis\n"
        b"DINKES,Dinas Kesehatan,dinas\n"
        b"DINKES,Dinas Kesehatan Lagi,dinas\n"
        b",Tanpa Kode,dinas\n"
        b"X,Jenis Aneh,kementerian\n"
    )
    with pytest.raises(ImportRejected) as caught:
        opd_import(data=data, actor="tests")
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "kode"),
        (4, "kode"),
        (5, "jenis"),
    ]
    assert not OPD.objects.exists()
