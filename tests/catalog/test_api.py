"""The catalog over HTTP, as a mobile client sees it: status codes, error codes, who sees what."""

import pytest

import factories
from peken.catalog import services
from peken.catalog.models import Product, ProhibitedTerm
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def new_product(shop, **changes):
    return {
        "merchant_id": shop.pk,
        "name": "Sambal bawang",
        "description": "Botol 200 ml, pedas.",
        "category_slug": "makanan-minuman",
        "price": 25_000,
        "unit": "botol",
        "stock": 12,
        **changes,
    }


def upload_photo(client, product_id, upload):
    return client.client.post(
        f"/api/v1/my/products/{product_id}/photos", {"file": upload}, headers=client.headers
    )


# --- the owner's products ---------------------------------------------------------------------


def test_an_owner_creates_a_product_and_sees_it_in_their_list(api, shop, owner):
    created = api(owner).post("/my/products", new_product(shop))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["price"], body["unit"], body["review"], body["is_active"]) == (
        25_000,
        "botol",
        "approved",
        True,
    )
    listing = api(owner).get("/my/products").json()
    assert [item["id"] for item in listing["items"]] == [body["id"]]


@pytest.mark.parametrize(
    "changes",
    [
        {"price": 0},
        {"price": -1_000},
        {"price": 1.5},
        {"price": 25_000.0},
        {"price": "10rb"},
        {"price": "25000"},
        {"price": True},
        {"price": None},
        {"stock": -1},
        {"stock": 2.5},
        {"unit": "gerobak"},
        {"name": ""},
    ],
    ids=lambda changes: f"{next(iter(changes))}={next(iter(changes.values()))!r}",
)
def test_bad_values_are_refused_with_422_naming_the_field(api, shop, owner, changes):
    response = api(owner).post("/my/products", new_product(shop, **changes))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["errors"][0]["field"].endswith(next(iter(changes)))
    assert Product.objects.count() == 0


def test_a_shop_of_someone_else_is_not_found(api, shop):
    stranger = factories.merchant(name="Toko Sebelah").owner
    response = api(stranger).post("/my/products", new_product(shop))
    assert response.status_code == 404 and response.json()["code"] == "merchant_not_found"


def test_another_owners_product_is_not_found_whatever_the_method(api, make_product, picture):
    product = make_product()
    stranger = api(factories.merchant(name="Toko Sebelah").owner)
    path = f"/my/products/{product.pk}"
    responses = [
        stranger.get(path),
        stranger.patch(path, {"price": 1_000}),
        stranger.delete(path),
        upload_photo(stranger, product.pk, picture()),
    ]
    assert [r.status_code for r in responses] == [404] * 4
    assert {r.json()["code"] for r in responses} == {"product_not_found"}
    product.refresh_from_db()
    assert (product.price, product.is_active, product.photos.count()) == (75_000, True, 0)


def test_patch_changes_only_what_is_sent_and_refuses_null(api, make_product, owner):
    product = make_product()
    client = api(owner)
    changed = client.patch(f"/my/products/{product.pk}", {"stock": 3})
    assert changed.status_code == 200
    assert (changed.json()["stock"], changed.json()["price"]) == (3, 75_000)
    assert client.patch(f"/my/products/{product.pk}", {"price": None}).status_code == 422
    assert client.patch(f"/my/products/{product.pk}", {"price": 0}).status_code == 422


def test_a_price_off_the_reference_price_is_refused_with_the_expected_price(
    api, shop, owner, city_admin
):
    item = services.reference_item_create(
        actor=city_admin,
        name="Minyak goreng",
        brand="Bimoli",
        variant="2 L",
        unit="pcs",
        price=38_000,
    )
    response = api(owner).post(
        "/my/products",
        new_product(shop, reference_item_id=item.pk, price=40_000, unit="pcs"),
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["expected_price"], body["expected_unit"]) == (
        "reference_price_mismatch",
        38_000,
        "pcs",
    )
    assert "Rp 38.000" in body["message"]


def test_a_held_product_shows_the_owner_why(api, shop, owner):
    body = api(owner).post("/my/products", new_product(shop, name="Rokok Surya 16")).json()
    assert body["review"] == "on_hold" and "'rokok'" in body["review_reason"]
    listed = api(owner).get("/my/products").json()["items"][0]
    assert listed["review"] == "on_hold" and listed["review_reason"] == body["review_reason"]


def test_delete_takes_a_product_off_sale_but_the_owner_still_has_it(api, make_product, owner):
    product = make_product()
    assert api(owner).delete(f"/my/products/{product.pk}").status_code == 204
    assert api().get(f"/products/{product.pk}").status_code == 404
    mine = api(owner).get(f"/my/products/{product.pk}").json()
    assert mine["is_active"] is False


def test_the_owners_list_filters_by_shop(api, make_product, owner):
    second_shop = factories.merchant(owner=owner, name="Warung Sri 2")
    make_product()
    other = make_product(merchant=second_shop, name="Es teh")
    body = api(owner).get("/my/products", {"merchant_id": second_shop.pk}).json()
    assert [item["id"] for item in body["items"]] == [other.pk]


def test_the_owners_list_costs_the_same_few_queries_for_many_products(
    api, make_product, owner, picture, django_assert_max_num_queries
):
    for number in range(25):
        product = make_product(name=f"Kerupuk {number}")
        services.product_photo_add(actor=owner, product=product, upload=picture())
    client = api(owner)
    client.get("/my/products")  # the token's first use writes last_used_at; not counted below
    with django_assert_max_num_queries(4):
        body = client.get("/my/products").json()
    assert body["count"] == 25 and all(len(item["photos"]) == 1 for item in body["items"])


# --- photos -----------------------------------------------------------------------------------


def test_photos_are_uploaded_listed_and_removed(api, make_product, owner, picture):
    product = make_product()
    client = api(owner)
    added = upload_photo(client, product.pk, picture("PNG"))
    assert added.status_code == 201, added.content
    photo = added.json()
    assert photo["url"].startswith("http://testserver/media/products/")
    assert photo["url"].endswith(".webp")
    listed = client.get(f"/my/products/{product.pk}").json()["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]
    removed = client.delete(f"/my/products/{product.pk}/photos/{photo['id']}")
    assert removed.status_code == 204
    assert client.get(f"/my/products/{product.pk}").json()["photos"] == []


def test_a_sixth_photo_is_a_conflict(api, make_product, owner, picture):
    product = make_product()
    client = api(owner)
    statuses = [upload_photo(client, product.pk, picture()).status_code for _ in range(5)]
    sixth = upload_photo(client, product.pk, picture())
    assert statuses == [201] * 5
    assert sixth.status_code == 409 and sixth.json()["code"] == "too_many_photos"


@pytest.mark.parametrize("kind", ["pdf_named_jpg", "huge"])
def test_files_that_are_not_small_pictures_are_refused(api, make_product, owner, picture, kind):
    product = make_product()
    response = upload_photo(api(owner), product.pk, getattr(picture, kind)())
    assert response.status_code == 422 and response.json()["code"] == "image_invalid"
    assert product.photos.count() == 0


def test_a_photo_id_of_another_product_is_not_found(api, make_product, owner, picture):
    first, second = make_product(), make_product(name="Gula 1 kg")
    photo = services.product_photo_add(actor=owner, product=second, upload=picture())
    response = api(owner).delete(f"/my/products/{first.pk}/photos/{photo.pk}")
    assert response.status_code == 404 and response.json()["code"] == "photo_not_found"


# --- what buyers see --------------------------------------------------------------------------


def test_a_visible_product_is_public_with_its_shop_and_photos(api, make_product, owner, picture):
    product = make_product()
    services.product_photo_add(actor=owner, product=product, upload=picture())
    response = api().get(f"/products/{product.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["merchant"] == {
        "id": product.merchant_id,
        "name": "Toko Bu Sri",
        "kelurahan": "Kedungdoro",
        "kecamatan": "Tegalsari",
    }
    assert len(body["photos"]) == 1 and body["photos"][0]["url"].endswith(".webp")
    assert "review_reason" not in body and "search_text" not in body


def test_held_inactive_and_unverified_shop_products_are_not_found(api, make_product, owner):
    held = make_product(name="Rokok Surya 16")
    inactive = make_product(name="Gula 1 kg")
    services.product_deactivate(actor=owner, product=inactive)
    unverified = make_product(merchant=factories.merchant(status="submitted"))
    suspended = make_product(merchant=factories.merchant(status="suspended"))
    for product in (held, inactive, unverified, suspended):
        response = api().get(f"/products/{product.pk}")
        assert response.status_code == 404, product.name
        assert response.json()["code"] == "product_not_found"


# --- officers ---------------------------------------------------------------------------------


def test_officers_see_the_held_products_of_their_area_and_city_admins_all(
    api, make_product, officer, far_officer, city_admin
):
    here = make_product(name="Rokok Surya 16")
    there = make_product(merchant=factories.merchant("35.78.01.1001"), name="Bir pletok")
    make_product(name="Gula 1 kg")

    def held_ids(user):
        return {item["id"] for item in api(user).get("/officer/products/held").json()["items"]}

    assert held_ids(officer) == {here.pk}
    assert held_ids(far_officer) == {there.pk}
    assert held_ids(city_admin) == {here.pk, there.pk}
    first = api(officer).get("/officer/products/held").json()["items"][0]
    assert first["merchant"]["kelurahan"] == "Kedungdoro" and "'rokok'" in first["review_reason"]


def test_the_held_list_is_closed_to_owners_and_buyers(api, owner):
    for user in (owner, factories.user(None, "warga")):
        response = api(user).get("/officer/products/held")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_the_held_list_costs_the_same_few_queries_for_many_products(
    api, make_product, city_admin, django_assert_max_num_queries
):
    for number in range(3):
        shop = factories.merchant(["35.78.05.1003", "35.78.01.1001", "35.78.12.1006"][number])
        for _ in range(5):
            make_product(merchant=shop, name=f"Rokok merek {number}")
    client = api(city_admin)
    client.get("/officer/products/held")
    with django_assert_max_num_queries(5):
        body = client.get("/officer/products/held").json()
    assert body["count"] == 15


def test_an_officer_approves_and_the_product_goes_on_sale(api, make_product, officer):
    product = make_product(name="Rokok Surya 16")
    response = api(officer).post(f"/officer/products/{product.pk}/approve")
    assert response.status_code == 200 and response.json()["review_reason"] == ""
    assert api().get(f"/products/{product.pk}").status_code == 200
    assert AuditEntry.objects.filter(action="product.approve", actor=officer).exists()


def test_an_officer_outside_the_area_gets_outside_area(api, make_product, far_officer):
    product = make_product(name="Rokok Surya 16")
    for action, body in (("approve", None), ("reject", {"reason": "Rokok dilarang."})):
        response = api(far_officer).post(f"/officer/products/{product.pk}/{action}", body)
        assert response.status_code == 403 and response.json()["code"] == "outside_area"
    assert Product.objects.get(pk=product.pk).review == "on_hold"


def test_an_owner_cannot_approve_through_the_officer_endpoint(api, make_product, owner):
    product = make_product(name="Rokok Surya 16")
    response = api(owner).post(f"/officer/products/{product.pk}/approve")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_rejection_reason_reaches_the_owner(api, make_product, officer, owner):
    product = make_product(name="Senapan angin")
    path = f"/officer/products/{product.pk}/reject"
    assert api(officer).post(path, {"reason": ""}).status_code == 422
    assert api(officer).post(path, {"reason": "Senjata tidak boleh dijual."}).status_code == 200
    mine = api(owner).get(f"/my/products/{product.pk}").json()
    assert (mine["review"], mine["review_reason"]) == ("rejected", "Senjata tidak boleh dijual.")


def test_reviewing_a_missing_product_is_not_found(api, officer):
    response = api(officer).post("/officer/products/999999/approve")
    assert response.status_code == 404 and response.json()["code"] == "product_not_found"


# --- city lists -------------------------------------------------------------------------------


def test_categories_and_reference_prices_are_public(api, city_admin):
    services.reference_item_create(
        actor=city_admin, name="Gula pasir", brand="Gulaku", unit="kg", price=17_500
    )
    categories = api().get("/categories").json()
    assert categories[0] == {"slug": "sembako", "name": "Sembako"}
    items = api().get("/reference-items").json()
    assert [(item["name"], item["price"]) for item in items] == [("Gula pasir", 17_500)]


def test_a_city_admin_changes_a_reference_price_and_products_follow(
    api, make_product, city_admin, officer
):
    created = api(city_admin).post(
        "/admin/reference-items",
        {"name": "Beras", "brand": "Bulog", "variant": "5 kg", "unit": "pcs", "price": 68_000},
    )
    assert created.status_code == 201
    item_id = created.json()["id"]
    product = make_product(reference_item_id=item_id, price=68_000)
    path = f"/admin/reference-items/{item_id}"
    assert api(officer).patch(path, {"price": 70_000}).status_code == 403
    assert api(city_admin).patch(path, {"price": 70.5}).status_code == 422
    changed = api(city_admin).patch(path, {"price": 70_000})
    assert changed.status_code == 200
    assert changed.json() == {
        "item": {
            "id": item_id,
            "name": "Beras",
            "brand": "Bulog",
            "variant": "5 kg",
            "unit": "pcs",
            "price": 70_000,
            "is_active": True,
        },
        "products_repriced": 1,
    }
    assert api().get(f"/products/{product.pk}").json()["price"] == 70_000


def test_reference_item_errors_have_codes(api, city_admin):
    body = {"name": "Beras", "brand": "Bulog", "unit": "pcs", "price": 68_000}
    assert api(city_admin).post("/admin/reference-items", body).status_code == 201
    duplicate = api(city_admin).post("/admin/reference-items", body)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "reference_item_exists"
    missing = api(city_admin).patch("/admin/reference-items/999999", {"price": 1})
    assert missing.status_code == 404
    assert missing.json()["code"] == "reference_item_not_found"


def test_a_city_admin_keeps_the_prohibited_goods_list(api, make_product, city_admin, officer):
    client = api(city_admin)
    assert api(officer).get("/admin/prohibited-terms").status_code == 403
    added = client.post("/admin/prohibited-terms", {"term": "Petasan", "reason": "Bahan peledak"})
    assert added.status_code == 201 and added.json()["term"] == "petasan"
    again = client.post("/admin/prohibited-terms", {"term": "petasan", "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "prohibited_term_exists"
    assert make_product(name="Petasan korek").review == "on_hold"
    assert client.delete(f"/admin/prohibited-terms/{added.json()['id']}").status_code == 204
    assert make_product(name="Petasan korek").review == "approved"
    listed = {
        item["term"]: item["is_active"] for item in client.get("/admin/prohibited-terms").json()
    }
    assert listed["petasan"] is False and listed["rokok"] is True
    assert ProhibitedTerm.objects.filter(term="petasan").count() == 1


def test_every_catalog_operation_documents_its_error_codes(api):
    schema = api().get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        if not path.startswith(
            ("/api/v1/my/products", "/api/v1/officer/products", "/api/v1/admin")
        ):
            continue
        for method, operation in operations.items():
            assert operation.get("x-error-codes"), f"{method.upper()} {path}"
