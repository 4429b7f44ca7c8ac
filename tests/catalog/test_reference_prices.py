"""Reference prices (harga acuan): a linked product carries exactly the city's price, and follows
it when a city admin changes it; the prohibited-goods list is the city admin's too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import factories
from peken.catalog import services
from peken.catalog.models import Product, ProhibitedTerm
from peken.core.errors import InvalidInput, PermissionDenied
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def beras(city_admin):
    return services.reference_item_create(
        actor=city_admin,
        name="Beras",
        brand="Bulog",
        variant="Premium 5 kg",
        unit="pcs",
        price=68_000,
    )


def test_a_city_admin_creates_a_reference_item_and_it_is_audited(beras, city_admin):
    entry = AuditEntry.objects.get(action="reference_item.create")
    assert entry.actor == city_admin and entry.after["price"] == 68_000


def test_only_a_city_admin_creates_reference_items(officer):
    with pytest.raises(PermissionDenied):
        services.reference_item_create(
            actor=officer, name="Gula", brand="Gulaku", unit="kg", price=1
        )


def test_the_same_item_twice_is_a_conflict(beras, city_admin):
    with pytest.raises(services.ReferenceItemExists):
        services.reference_item_create(
            actor=city_admin,
            name="Beras",
            brand="Bulog",
            variant="Premium 5 kg",
            unit="pcs",
            price=70_000,
        )


def test_a_linked_product_carries_exactly_the_reference_price(make_product, beras):
    product = make_product(reference_item_id=beras.pk, price=68_000)
    assert product.reference_item == beras


@pytest.mark.parametrize("price, unit", [(70_000, "pcs"), (67_999, "pcs"), (68_000, "kg")])
def test_a_different_price_or_unit_is_refused_with_the_expected_price(
    make_product, beras, price, unit
):
    with pytest.raises(services.ReferencePriceMismatch) as caught:
        make_product(reference_item_id=beras.pk, price=price, unit=unit)
    error = caught.value
    assert error.code == "reference_price_mismatch"
    assert (error.details["expected_price"], error.details["expected_unit"]) == (68_000, "pcs")
    assert "Rp 68.000" in error.message
    assert Product.objects.count() == 0


def test_a_linked_products_price_cannot_drift_until_it_is_unlinked(make_product, beras, owner):
    product = make_product(reference_item_id=beras.pk, price=68_000)
    with pytest.raises(services.ReferencePriceMismatch):
        services.product_update(actor=owner, product=product, price=72_000)
    services.product_update(actor=owner, product=product, reference_item_id=None, price=72_000)
    product.refresh_from_db()
    assert (product.price, product.reference_item_id) == (72_000, None)


def test_linking_an_existing_product_checks_its_price(make_product, beras, owner):
    product = make_product(price=75_000)
    with pytest.raises(services.ReferencePriceMismatch):
        services.product_update(actor=owner, product=product, reference_item_id=beras.pk)


def test_an_inactive_reference_item_cannot_be_linked(make_product, beras, city_admin):
    services.reference_item_update(actor=city_admin, item=beras, is_active=False)
    with pytest.raises(InvalidInput):
        make_product(reference_item_id=beras.pk, price=68_000)


def test_a_new_reference_price_reprices_every_linked_product_in_one_update(
    make_product, beras, city_admin
):
    other_shop = factories.merchant("35.78.01.1001")
    linked = [
        make_product(reference_item_id=beras.pk, price=68_000),
        make_product(merchant=other_shop, reference_item_id=beras.pk, price=68_000),
        make_product(name="Beras Bulog promo", reference_item_id=beras.pk, price=68_000),
    ]
    unlinked = make_product(name="Beras curah", price=68_000)
    with CaptureQueriesContext(connection) as queries:
        repriced = services.reference_item_set_price(actor=city_admin, item=beras, price=70_000)
    assert repriced == 3
    assert set(Product.objects.filter(price=70_000).values_list("id", flat=True)) == {
        product.pk for product in linked
    }
    assert Product.objects.get(pk=unlinked.pk).price == 68_000
    product_updates = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("UPDATE") and "catalog_product" in query["sql"]
    ]
    assert len(product_updates) == 1
    entry = AuditEntry.objects.get(action="reference_item.set_price")
    assert entry.before == {"price": 68_000}
    assert entry.after == {"price": 70_000, "products_repriced": 3}


def test_only_a_city_admin_changes_a_reference_price(make_product, beras, officer):
    product = make_product(reference_item_id=beras.pk, price=68_000)
    with pytest.raises(PermissionDenied):
        services.reference_item_set_price(actor=officer, item=beras, price=1_000)
    product.refresh_from_db()
    assert product.price == 68_000


def test_setting_the_same_price_again_changes_and_audits_nothing(beras, city_admin):
    assert services.reference_item_set_price(actor=city_admin, item=beras, price=68_000) == 0
    assert not AuditEntry.objects.filter(action="reference_item.set_price").exists()


def test_an_invalid_reference_price_is_refused(beras, city_admin):
    with pytest.raises(InvalidInput):
        services.reference_item_set_price(actor=city_admin, item=beras, price=0)


def test_renaming_and_repricing_in_one_change(make_product, beras, city_admin):
    make_product(reference_item_id=beras.pk, price=68_000)
    change = services.reference_item_update(
        actor=city_admin, item=beras, brand="Bulog SPHP", price=66_000
    )
    assert change.products_repriced == 1
    beras.refresh_from_db()
    assert (beras.brand, beras.price) == ("Bulog SPHP", 66_000)
    assert AuditEntry.objects.get(action="reference_item.update").after == {"brand": "Bulog SPHP"}


# --- the prohibited-goods list ----------------------------------------------------------------


def test_a_city_admin_adds_a_word_and_new_products_with_it_are_held(make_product, city_admin):
    services.prohibited_term_add(actor=city_admin, term="  Petasan ", reason="Bahan peledak")
    assert ProhibitedTerm.objects.filter(term="petasan", is_active=True).exists()
    assert make_product(name="Petasan banting").review == Product.Review.ON_HOLD
    assert AuditEntry.objects.filter(action="prohibited_term.add").count() == 1


def test_an_active_word_twice_is_a_conflict_and_a_switched_off_one_comes_back(city_admin):
    with pytest.raises(services.ProhibitedTermExists):
        services.prohibited_term_add(actor=city_admin, term="Rokok", reason="Rokok")
    rokok = ProhibitedTerm.objects.get(term="rokok")
    services.prohibited_term_deactivate(actor=city_admin, entry=rokok)
    assert not ProhibitedTerm.objects.get(term="rokok").is_active
    services.prohibited_term_add(actor=city_admin, term="rokok", reason="Produk tembakau")
    rokok.refresh_from_db()
    assert rokok.is_active and rokok.reason == "Produk tembakau"


def test_only_a_city_admin_keeps_the_list(officer):
    with pytest.raises(PermissionDenied):
        services.prohibited_term_add(actor=officer, term="petasan", reason="Bahan peledak")
