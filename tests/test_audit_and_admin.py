"""The audit log cannot be rewritten; the back office opens by role, masks NIK, audits changes."""

import pytest
from django.db import DatabaseError, connection, transaction

import factories
from peken.accounts.models import OPD, Role, User
from peken.accounts.services import role_grant
from peken.core.audit import audit_record
from peken.core.errors import PermissionDenied
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_entries_refuse_updates_and_deletes_through_the_orm():
    entry = audit_record(actor="tests", action="test.something", after={"x": 1})
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_a_raw_update_of_the_audit_log():
    entry = audit_record(actor="tests", action="test.something")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'rewritten' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.something"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for test resets")
def test_postgresql_refuses_a_raw_delete_of_the_audit_log():
    entry = audit_record(actor="tests", action="test.something")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_api_is_for_city_admins_and_auditors(api, city_admin, auditor):
    audit_record(actor=city_admin, action="test.visible", after={"nik": "3578********0001"})
    for viewer in (city_admin, auditor):
        body = api(viewer).get("/audit", {"action": "test.visible"}).json()
        assert [item["action"] for item in body["items"]] == ["test.visible"]
        assert body["items"][0]["actor_name"] == "adminkota"
    for role in (Role.OFFICER, Role.ASN, Role.OPD_ADMIN):
        person = (
            factories.officer(kelurahan_code="35.78.05.1003")
            if role == Role.OFFICER
            else factories.user(None, role)
            if role != Role.OPD_ADMIN
            else factories.opd_admin(factories.opd())
        )
        assert api(person).get("/audit").status_code == 403


def test_role_grants_are_for_city_admins_and_are_audited(city_admin):
    person = factories.user(None)
    grant = role_grant(
        actor=city_admin, user=person, role=Role.OFFICER, kelurahan=factories.kelurahan()
    )
    entry = AuditEntry.objects.get(action="role.grant")
    assert entry.after["role"] == "officer" and entry.actor == city_admin
    assert grant.user.has_role(Role.OFFICER)
    officer = factories.officer(kelurahan_code="35.78.05.1003")
    with pytest.raises(PermissionDenied):
        role_grant(actor=officer, user=person, role=Role.CITY_ADMIN)


def test_personal_data_in_the_audit_log_is_masked(api):
    officer = factories.officer(kelurahan_code="35.78.05.1003")
    nik = factories.valid_nik()
    api(officer).post(
        "/people/warga",
        {
            "full_name": "Mbok Sumi",
            "nik": nik,
            "phone": "081298765432",
            "kelurahan_code": "35.78.05.1003",
        },
    )
    entry = AuditEntry.objects.get(action="warga.register")
    assert nik not in str(entry.after) and "081298765432" not in str(entry.after)
    assert entry.after["nik"] == nik[:4] + "*" * 8 + nik[-4:]


# --- the back office ----------------------------------------------------------------------------


def test_back_office_opens_by_role(client, city_admin, auditor):
    client.force_login(factories.user(None, Role.ASN))
    assert client.get("/kelola/").status_code == 302  # to the login page
    for person in (city_admin, auditor):
        client.force_login(person)
        assert client.get("/kelola/").status_code == 200
        assert client.get("/kelola/accounts/asnprofile/").status_code == 200
        assert client.get("/kelola/core/auditentry/").status_code == 200


def test_auditor_reads_but_cannot_change(client, auditor):
    opd = factories.opd()
    client.force_login(auditor)
    response = client.post(
        f"/kelola/accounts/opd/{opd.pk}/change/", {"code": "X", "name": "Diubah", "kind": "dinas"}
    )
    assert response.status_code == 403
    opd.refresh_from_db()
    assert opd.name == "Dinas Kesehatan"
    assert client.get("/kelola/accounts/opd/add/").status_code == 403


def test_admin_changes_are_audited_with_before_and_after(client, city_admin):
    opd = factories.opd()
    client.force_login(city_admin)
    response = client.post(
        f"/kelola/accounts/opd/{opd.pk}/change/",
        {"code": "DINKES", "name": "Dinas Kesehatan Kota", "kind": "dinas", "is_active": "on"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change", target_type="accounts.OPD")
    assert entry.before["name"] == "Dinas Kesehatan"
    assert entry.after["name"] == "Dinas Kesehatan Kota"
    assert entry.actor == city_admin
    assert OPD.objects.get(pk=opd.pk).name == "Dinas Kesehatan Kota"


def test_admin_never_shows_a_nik_in_clear(client, city_admin):
    warga = factories.warga()
    nik = warga.user.nik
    client.force_login(city_admin)
    pages = [
        "/kelola/accounts/user/",
        f"/kelola/accounts/user/{warga.user.pk}/change/",
        "/kelola/accounts/wargaprofile/",
    ]
    for page in pages:
        content = client.get(page).content.decode()
        assert nik not in content, page
        assert nik[:4] + "********" + nik[-4:] in content, page
    # Searching by the full NIK finds the person; the admin typed it, the page echoes only that.
    found = client.get("/kelola/accounts/user/", {"q": nik}).content.decode()
    assert warga.user.username in found


def test_admin_can_correct_a_nik_without_seeing_the_old_one(client, city_admin):
    warga = factories.warga()
    client.force_login(city_admin)
    new_nik = factories.valid_nik()
    url = f"/kelola/accounts/user/{warga.user.pk}/change/"
    form = {
        "username": warga.user.username,
        "full_name": "Nama Baru",
        "email": "",
        "phone": "081234567890",
        "is_active": "on",
        "new_nik": new_nik,
        "role_grants-TOTAL_FORMS": "1",
        "role_grants-INITIAL_FORMS": "1",
        "role_grants-0-id": warga.user.role_grants.get().pk,
        "role_grants-0-user": warga.user.pk,
        "role_grants-0-role": "warga",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=warga.user.pk).nik == new_nik
    bad = client.post(url, {**form, "new_nik": "123"})
    assert bad.status_code == 200 and "16 angka" in bad.content.decode()


PAGES = [
    "/",
    "/masuk/",
    "/kelola/",
    "/kelola/login/",
    "/kelola/asn/impor/",
    "/kelola/accounts/user/",
    "/kelola/core/auditentry/",
    "/kelola/ordering/order/",
    "/kelola/quotas/merchantmonthquota/",
    "/kelola/quotas/merchantcap/",
    "/kelola/policy/citypolicy/",
    "/kelola/obligations/obligationrule/",
    "/kelola/obligations/obligationresult/",
    "/kelola/merchants/merchant/",
    "/kelola/catalog/product/",
    "/kelola/ledger/ledgerentry/",
    "/kelola/payments/payment/",
    "/kelola/payments/paymentnotification/",
    "/kelola/payments/refund/",
    "/kelola/payments/complaint/",
    "/kelola/payouts/payoutbatch/",
    "/kelola/payouts/settlementimport/",
    "/kelola/payouts/settlementimport/upload/",
    "/kelola/notifications/outboxmessage/",
    "/api/v1/docs",
    "/api/v1/openapi.json",
    "/api/v1/me",
    "/api/v1/audit",
]


@pytest.mark.parametrize(
    "role", [None, Role.ASN, Role.WARGA, Role.OFFICER, Role.CITY_ADMIN, Role.AUDITOR]
)
def test_no_page_fails_for_anyone(client, role):
    if role == Role.OFFICER:
        client.force_login(factories.officer(kelurahan_code="35.78.05.1003"))
    elif role is not None:
        client.force_login(factories.user(None, role))
    statuses = {page: client.get(page).status_code for page in PAGES}
    assert all(status < 500 for status in statuses.values()), statuses
    if role is None:
        assert statuses["/kelola/login/"] == 200 and statuses["/masuk/"] == 200


def test_role_changes_in_the_back_office_are_audited(client, city_admin):
    person = factories.user(None)
    client.force_login(city_admin)
    form = {
        "username": person.username,
        "full_name": person.full_name,
        "email": "",
        "phone": "",
        "is_active": "on",
        "new_nik": "",
        "role_grants-TOTAL_FORMS": "1",
        "role_grants-INITIAL_FORMS": "0",
        "role_grants-0-user": person.pk,
        "role_grants-0-role": "auditor",
    }
    response = client.post(f"/kelola/accounts/user/{person.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.add", target_type="accounts.RoleGrant")
    assert entry.after["role"] == "auditor" and entry.actor == city_admin
    assert User.objects.get(pk=person.pk).has_role(Role.AUDITOR)


def test_a_body_that_is_not_json_gets_a_code(client):
    response = client.post(
        "/api/v1/auth/token", data="{bukan json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_the_city_policy_changed_in_the_back_office_goes_through_its_service(client, city_admin):
    from peken.policy.models import CityPolicy

    client.force_login(city_admin)
    form = {
        "default_cap": "25000000",
        "fair_ranking": "on",
        "payment_timeout_minutes": "60",
        "acceptance_timeout_hours": "24",
    }
    response = client.post("/kelola/policy/citypolicy/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CityPolicy.objects.get().default_cap == 25_000_000
    assert AuditEntry.objects.filter(action="policy.update").exists()
