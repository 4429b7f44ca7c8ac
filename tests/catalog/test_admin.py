"""The catalog in the back office (/kelola/): pages open by role, a reference price changed there
reprices linked products as the API does, and held products can be approved in bulk."""

import pytest

import factories
from peken.catalog import services
from peken.catalog.models import Product, ProhibitedTerm, ReferenceItem
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def beras(city_admin):
    return services.reference_item_create(
        actor=city_admin, name="Beras", brand="Bulog", variant="5 kg", unit="pcs", price=68_000
    )


def test_catalog_pages_open_for_city_admins_and_auditors(
    client, city_admin, auditor, make_product, owner, picture, beras
):
    product = make_product()
    services.product_photo_add(actor=owner, product=product, upload=picture())
    pages = [
        "/kelola/catalog/category/",
        "/kelola/catalog/referenceitem/",
        f"/kelola/catalog/referenceitem/{beras.pk}/change/",
        "/kelola/catalog/prohibitedterm/",
        "/kelola/catalog/product/",
        "/kelola/catalog/product/?review__exact=on_hold",
        "/kelola/catalog/product/?q=beras",
        f"/kelola/catalog/product/{product.pk}/change/",
    ]
    for person in (city_admin, auditor):
        client.force_login(person)
        for page in pages:
            assert client.get(page).status_code == 200, page
    client.force_login(factories.officer(kelurahan_code="35.78.05.1003"))
    assert client.get("/kelola/catalog/product/").status_code == 302


def test_a_reference_price_changed_in_the_back_office_reprices_linked_products(
    client, city_admin, beras, make_product
):
    product = make_product(reference_item_id=beras.pk, price=68_000)
    client.force_login(city_admin)
    response = client.post(
        f"/kelola/catalog/referenceitem/{beras.pk}/change/",
        {
            "name": "Beras",
            "brand": "Bulog",
            "variant": "5 kg",
            "price": "71000",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert product.price == 71_000
    entry = AuditEntry.objects.get(action="reference_item.set_price")
    assert entry.after == {"price": 71_000, "products_repriced": 1}
    assert entry.actor == city_admin


def test_a_zero_reference_price_is_refused_in_the_back_office(client, city_admin, beras):
    client.force_login(city_admin)
    response = client.post(
        f"/kelola/catalog/referenceitem/{beras.pk}/change/",
        {"name": "Beras", "brand": "Bulog", "variant": "5 kg", "price": "0", "is_active": "on"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert ReferenceItem.objects.get(pk=beras.pk).price == 68_000


def test_held_products_are_approved_in_bulk_and_audited(client, city_admin, make_product):
    held = [make_product(name="Rokok Surya 16"), make_product(name="Bir pletok")]
    client.force_login(city_admin)
    response = client.post(
        "/kelola/catalog/product/",
        {"action": "approve_selected", "_selected_action": [str(p.pk) for p in held]},
    )
    assert response.status_code == 302
    assert set(Product.objects.values_list("review", flat=True)) == {"approved"}
    assert AuditEntry.objects.filter(action="product.approve").count() == 2


def test_a_product_switched_off_in_the_back_office_is_audited(client, city_admin, make_product):
    product = make_product()
    client.force_login(city_admin)
    response = client.post(
        f"/kelola/catalog/product/{product.pk}/change/",
        {
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            "photos-MIN_NUM_FORMS": "0",
            "photos-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert not product.is_active
    entry = AuditEntry.objects.get(action="admin.change", target_id=str(product.pk))
    assert entry.before["is_active"] is True and entry.after["is_active"] is False


def test_a_word_added_in_the_back_office_is_stored_as_the_api_stores_it(client, city_admin):
    client.force_login(city_admin)
    add = "/kelola/catalog/prohibitedterm/add/"
    response = client.post(
        add, {"term": "  Petasan ", "reason": "Bahan peledak", "is_active": "on"}
    )
    assert response.status_code == 302
    assert ProhibitedTerm.objects.filter(term="petasan").exists()
    again = client.post(add, {"term": "ROKOK", "reason": "Rokok", "is_active": "on"})
    assert again.status_code == 200  # the form again: "rokok" is already on the list
    assert ProhibitedTerm.objects.filter(term__iexact="rokok").count() == 1
