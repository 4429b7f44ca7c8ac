"""The shops and catalogs `peken demo` loads for `make run`."""

import pytest
from django.db.models import F

from peken.accounts.models import Role, User
from peken.catalog.models import Product, ReferenceItem
from peken.core.models import AuditEntry
from peken.demo.services import HOME_KELURAHAN, demo_load
from peken.merchants.models import Merchant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert demo_load() is True


def test_verified_shops_cover_the_city_mostly_toko_kelontong(demo):
    verified = Merchant.objects.filter(status=Merchant.Status.VERIFIED)
    assert verified.count() >= 300
    assert verified.values("kelurahan__kecamatan").distinct().count() == 31
    kelontong = verified.filter(kind=Merchant.Kind.TOKO_KELONTONG).count()
    assert 0.65 <= kelontong / verified.count() <= 0.75
    assert verified.filter(is_mbr=True).exists()
    assert Product.objects.filter(merchant__status=Merchant.Status.VERIFIED).count() >= 3_000


def test_the_officer_has_shops_to_verify_and_decisions_on_record(demo):
    officer = User.objects.get(username="petugas")
    [grant] = officer.role_grants.filter(role=Role.OFFICER)
    assert grant.kelurahan.code == HOME_KELURAHAN
    waiting = Merchant.objects.filter(status=Merchant.Status.SUBMITTED)
    assert waiting.filter(kelurahan__code=HOME_KELURAHAN).exists()
    assert waiting.filter(registered_by=officer).exists()
    rejected = Merchant.objects.filter(status=Merchant.Status.REJECTED)
    assert rejected.exists()
    assert all(len(reason) >= 5 for reason in rejected.values_list("status_reason", flat=True))
    decided = Merchant.objects.filter(status_changed_by=officer)
    assert set(decided.values_list("kelurahan__code", flat=True)) == {HOME_KELURAHAN}
    assert AuditEntry.objects.filter(actor=officer).count() == decided.count()


def test_penjual_owns_a_verified_toko_that_sells_rice(demo):
    [shop] = Merchant.objects.filter(owner__username="penjual")
    assert shop.status == Merchant.Status.VERIFIED
    assert shop.kind == Merchant.Kind.TOKO_KELONTONG
    assert shop.kelurahan.code == HOME_KELURAHAN
    assert 10 <= shop.products.count() <= 20
    assert shop.products.filter(name__istartswith="beras").exists()
    assert shop.bank_account.holder_name == shop.owner.full_name


def test_rice_is_sold_by_many_shops(demo):
    rice = Product.objects.filter(name__istartswith="beras", merchant__status="verified")
    assert rice.values("merchant").distinct().count() >= 100
    assert rice.values("name").distinct().count() >= 8


def test_the_reference_price_list_and_the_products_that_follow_it(demo):
    names = set(ReferenceItem.objects.values_list("name", flat=True))
    assert {"Beras", "Gula pasir", "Minyak goreng", "Mi instan", "Telur ayam ras"} <= names
    assert ReferenceItem.objects.filter(name="Mi instan").count() >= 3
    linked = Product.objects.exclude(reference_item=None)
    assert linked.count() >= 50
    assert not linked.exclude(price=F("reference_item__price")).exists()
    assert not linked.exclude(unit=F("reference_item__unit")).exists()


def test_loading_again_changes_nothing(demo):
    counts = (Merchant.objects.count(), Product.objects.count(), ReferenceItem.objects.count())
    assert demo_load() is False
    assert (Merchant.objects.count(), Product.objects.count(), ReferenceItem.objects.count()) == (
        counts
    )


def test_product_search_finds_rice_from_several_shops(demo, api):
    response = api().get("/products", {"q": "beras"})
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert len({item["merchant"]["id"] for item in items}) >= 3
    assert all("beras" in item["name"].lower() for item in items[:5])
