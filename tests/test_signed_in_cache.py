"""Issue 13: the signed-in account (roles, home) is read from the cache on every page, and any
change to it — a role revoked, a profile moved or deactivated in bulk, an account switched
off — is seen on the very next request."""

import pytest
from django.urls import reverse

import factories
from peken.accounts.models import AsnProfile, Role
from peken.accounts.services import role_revoke
from peken.accounts.signed_in import home_of, signed_in_user
from peken.catalog.fairness import shopper_of

pytestmark = pytest.mark.django_db


def test_a_revoked_role_is_gone_on_the_next_request(client):
    officer = factories.officer(kelurahan_code="35.78.05.1003")
    client.force_login(officer)
    assert client.get(reverse("web:officer-queue")).status_code == 200
    assert client.get(reverse("web:officer-queue")).status_code == 200  # now from the cache
    role_revoke(actor="test", grant=officer.role_grants.get(role=Role.OFFICER))
    assert client.get(reverse("web:officer-queue")).status_code in (302, 403)


def test_an_account_switched_off_is_signed_out_on_the_next_request(client):
    person = factories.asn()
    client.force_login(person)
    assert client.get(reverse("web:orders")).status_code == 200
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(reverse("web:orders")).status_code == 302


def test_a_moved_home_is_seen_at_once():
    person = factories.asn("35.78.05.1003")
    assert home_of(signed_in_user(person.pk)).kelurahan_code == "35.78.05.1003"
    profile = AsnProfile.objects.get(user=person)
    profile.domicile_kelurahan = factories.kelurahan("35.78.05.1001")
    profile.save()
    assert home_of(signed_in_user(person.pk)).kelurahan_code == "35.78.05.1001"


def test_a_profile_deactivated_in_bulk_stops_the_fair_listing(client):
    # The roster import writes in bulk (no save signals) and moves the whole family on.
    from peken.accounts.roster import roster_import
    from peken.demo.people import roster_csv
    from peken.demo.services import city_roster_rows

    person = factories.asn()
    assert shopper_of(signed_in_user(person.pk)) is not None
    roster_import(
        data=roster_csv(city_roster_rows(3, seed=1)), actor="test", deactivate_missing=True
    )
    assert shopper_of(signed_in_user(person.pk)) is None


def test_an_account_is_read_from_the_database_once(django_assert_num_queries):
    person = factories.asn()
    signed_in_user(person.pk)
    home_of(signed_in_user(person.pk))
    with django_assert_num_queries(0):
        user = signed_in_user(person.pk)
        assert user.has_role(Role.ASN) and home_of(user).is_active_asn
