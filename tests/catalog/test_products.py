"""Products through the services, on a real database: who may write, what is refused, what puts a
product on hold, who lets it go, and what buyers get to see."""

from pathlib import Path

import pytest

import factories
from peken.catalog import rules, selectors, services
from peken.catalog.models import Product, ProhibitedTerm
from peken.core.errors import InvalidInput, OutsideArea, PermissionDenied
from peken.core.images import ImageRejected
from peken.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def visible_ids():
    return set(selectors.products_visible().values_list("id", flat=True))


# --- creating and changing --------------------------------------------------------------------


def test_a_new_product_is_sellable_and_searchable_by_its_shop_name(make_product, shop):
    product = make_product(name="  Minyak   Goreng 2 L ", description="Kemasan pouch.")
    product.refresh_from_db()
    assert product.name == "Minyak Goreng 2 L"
    assert product.review == Product.Review.APPROVED
    assert product.search_text == "Minyak Goreng 2 L Kemasan pouch. Toko Bu Sri"
    assert product.pk in visible_ids()
    assert not AuditEntry.objects.filter(action__startswith="product.").exists()


@pytest.mark.parametrize(
    "field, value", [("price", 0), ("price", -5_000), ("price", 1.5), ("price", "10rb")]
)
def test_a_price_that_is_not_whole_rupiah_above_zero_is_refused(make_product, field, value):
    with pytest.raises(InvalidInput) as caught:
        make_product(**{field: value})
    assert caught.value.details["field"] == "price"
    assert Product.objects.count() == 0


def test_negative_stock_is_refused(make_product):
    with pytest.raises(InvalidInput) as caught:
        make_product(stock=-1)
    assert caught.value.details["field"] == "stock"


@pytest.mark.parametrize(
    "values, field",
    [({"category_slug": "senjata-api"}, "category_slug"), ({"unit": "gerobak"}, "unit")],
)
def test_unknown_categories_and_units_are_named(make_product, values, field):
    with pytest.raises(InvalidInput) as caught:
        make_product(**values)
    assert caught.value.details["field"] == field


def test_made_to_order_goods_are_in_stock_without_a_count(make_product):
    product = make_product(name="Nasi kotak", is_made_to_order=True, stock=40, unit="porsi")
    assert product.stock == 0 and product.is_in_stock


def test_a_price_change_does_not_put_back_stock_sold_meanwhile(make_product, owner):
    product = make_product()
    # A checkout takes stock meanwhile; the owner's price change must not put it back.
    Product.objects.filter(pk=product.pk).update(stock=7)
    changed = services.product_update(
        actor=owner, product=product, price=80_000, name="Beras Pandan Wangi 5 kg"
    )
    changed.refresh_from_db()
    assert (changed.price, changed.stock) == (80_000, 7)
    assert changed.search_text == "Beras Pandan Wangi 5 kg Beras pulen dari Lamongan. Toko Bu Sri"


def test_switching_to_made_to_order_clears_the_stock(make_product, owner):
    product = make_product(stock=12)
    changed = services.product_update(actor=owner, product=product, is_made_to_order=True)
    assert changed.stock == 0


def test_a_deactivated_product_is_kept_but_not_sold(make_product, owner):
    product = make_product()
    services.product_deactivate(actor=owner, product=product)
    assert Product.objects.filter(pk=product.pk, is_active=False).exists()
    assert product.pk not in visible_ids()
    services.product_update(actor=owner, product=product, is_active=True)
    assert product.pk in visible_ids()


def test_a_stranger_cannot_write_another_shops_products(make_product):
    product = make_product()
    stranger = factories.merchant(name="Toko Sebelah").owner
    with pytest.raises(PermissionDenied):
        services.product_update(actor=stranger, product=product, price=1_000)


def test_an_officer_may_enter_goods_for_a_shop_of_their_area_and_it_is_audited(
    make_product, shop, officer, far_officer
):
    product = make_product(actor=officer)
    entry = AuditEntry.objects.get(action="product.create")
    assert entry.actor == officer and entry.target_id == str(product.pk)
    services.product_update(actor=officer, product=product, stock=3)
    update = AuditEntry.objects.get(action="product.update")
    assert (update.before, update.after) == ({"stock": 10}, {"stock": 3})
    with pytest.raises(OutsideArea):
        make_product(actor=far_officer)


def test_a_draft_shop_may_prepare_products_that_buyers_do_not_see(make_product):
    draft = factories.merchant(status="draft")
    product = make_product(merchant=draft)
    assert product.review == Product.Review.APPROVED
    assert product.pk not in visible_ids()
    draft.status = "verified"
    draft.save()
    assert product.pk in visible_ids()


# --- prohibited goods -------------------------------------------------------------------------


def test_a_prohibited_word_holds_the_product_and_tells_the_owner_why(make_product):
    product = make_product(name="Rokok Surya 16", category_slug="lainnya")
    assert product.review == Product.Review.ON_HOLD
    assert "'rokok'" in product.review_reason
    assert "Rokok dan produk tembakau" in product.review_reason
    assert product.pk not in visible_ids()


def test_kemasan_is_not_emas(make_product):
    product = make_product(name="Kue kering kemasan toples", description="Dikemas rapi")
    assert product.review == Product.Review.APPROVED


def test_a_word_in_the_description_holds_too(make_product):
    product = make_product(name="Paket lebaran", description="Isi sirup, kue, dan antibiotik.")
    assert product.review == Product.Review.ON_HOLD and "antibiotik" in product.review_reason


def test_a_switched_off_word_no_longer_holds(make_product):
    ProhibitedTerm.objects.filter(term="bir").update(is_active=False)
    assert make_product(name="Bir pletok").review == Product.Review.APPROVED


def test_editing_an_approved_product_to_match_puts_it_on_hold(make_product, owner):
    product = make_product(name="Kaos polos")
    held = services.product_update(actor=owner, product=product, description="Bonus vape")
    assert held.review == Product.Review.ON_HOLD and "'vape'" in held.review_reason


def test_an_officer_approval_survives_price_edits_but_not_new_text(make_product, owner, officer):
    product = make_product(name="Kalung emas imitasi", description="Kuningan, bukan emas asli.")
    services.product_approve(actor=officer, product=product)
    kept = services.product_update(actor=owner, product=product, price=50_000, stock=2)
    assert kept.review == Product.Review.APPROVED
    rewritten = services.product_update(actor=owner, product=product, name="Kalung emas 24 karat")
    assert rewritten.review == Product.Review.ON_HOLD


def test_removing_the_word_does_not_lift_the_hold_by_itself(make_product, owner):
    product = make_product(name="Rokok Surya 16")
    edited = services.product_update(actor=owner, product=product, name="Permen Surya")
    assert edited.review == Product.Review.ON_HOLD
    assert edited.review_reason == rules.REREVIEW_REASON
    assert product.pk not in visible_ids()


def test_a_rejected_product_goes_back_to_the_officer_only_when_its_text_changes(
    make_product, owner, officer
):
    product = make_product(name="Senapan angin")
    services.product_reject(actor=officer, product=product, reason="Senjata tidak boleh dijual.")
    repriced = services.product_update(actor=owner, product=product, price=10_000)
    assert repriced.review == Product.Review.REJECTED
    assert repriced.review_reason == "Senjata tidak boleh dijual."
    renamed = services.product_update(actor=owner, product=product, name="Mainan tembak busa")
    assert renamed.review == Product.Review.ON_HOLD


# --- the officer's review ---------------------------------------------------------------------


def test_an_officer_of_the_area_approves_a_held_product_and_it_is_audited(make_product, officer):
    product = make_product(name="Rokok Surya 16")
    services.product_approve(actor=officer, product=product)
    assert product.pk in visible_ids()
    entry = AuditEntry.objects.get(action="product.approve")
    assert entry.actor == officer
    assert entry.before["review"] == "on_hold" and entry.after == {
        "review": "approved",
        "review_reason": "",
    }


def test_an_officer_of_the_kecamatan_covers_its_kelurahan(make_product):
    product = make_product(name="Rokok Surya 16")
    services.product_approve(actor=factories.officer(kecamatan_code="35.78.05"), product=product)
    assert product.pk in visible_ids()


def test_an_officer_outside_the_area_cannot_approve(make_product, far_officer):
    product = make_product(name="Rokok Surya 16")
    with pytest.raises(OutsideArea):
        services.product_approve(actor=far_officer, product=product)
    assert Product.objects.get(pk=product.pk).review == Product.Review.ON_HOLD


def test_an_officer_cannot_approve_their_own_shops_product(officer, make_product):
    own_shop = factories.merchant(owner=officer)
    product = make_product(merchant=own_shop, name="Rokok Surya 16")
    with pytest.raises(PermissionDenied):
        services.product_approve(actor=officer, product=product)


def test_the_owner_cannot_approve_their_own_held_product(make_product, owner):
    product = make_product(name="Rokok Surya 16")
    with pytest.raises(PermissionDenied):
        services.product_approve(actor=owner, product=product)


def test_a_rejection_needs_a_reason_and_is_audited(make_product, city_admin):
    product = make_product(name="Bir pletok")
    with pytest.raises(InvalidInput):
        services.product_reject(actor=city_admin, product=product, reason="   ")
    services.product_reject(actor=city_admin, product=product, reason="Mengandung alkohol.")
    product.refresh_from_db()
    assert (product.review, product.review_reason) == ("rejected", "Mengandung alkohol.")
    assert AuditEntry.objects.get(action="product.reject").after["review"] == "rejected"


# --- photos -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_stored_re_encoded_as_webp(make_product, owner, picture, media_root, fmt):
    product = make_product()
    photo = services.product_photo_add(actor=owner, product=product, upload=picture(fmt))
    stored = Path(media_root) / photo.image.name
    assert stored.suffix == ".webp" and stored.read_bytes()[8:12] == b"WEBP"
    assert (photo.width, photo.height) == (64, 48)


def test_a_sixth_photo_is_refused(make_product, owner, picture):
    product = make_product()
    for _ in range(rules.MAX_PHOTOS):
        services.product_photo_add(actor=owner, product=product, upload=picture())
    with pytest.raises(services.TooManyPhotos) as caught:
        services.product_photo_add(actor=owner, product=product, upload=picture())
    assert caught.value.code == "too_many_photos"
    assert product.photos.count() == rules.MAX_PHOTOS
    assert [p.position for p in product.photos.all()] == [0, 1, 2, 3, 4]


def test_a_20_mb_photo_is_refused(make_product, owner, picture, media_root):
    product = make_product()
    with pytest.raises(ImageRejected, match="terlalu besar"):
        services.product_photo_add(actor=owner, product=product, upload=picture.huge(20))
    assert product.photos.count() == 0
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.webp"))


def test_a_pdf_renamed_jpg_is_refused(make_product, owner, picture):
    product = make_product()
    with pytest.raises(ImageRejected) as caught:
        services.product_photo_add(actor=owner, product=product, upload=picture.pdf_named_jpg())
    assert caught.value.code == "image_invalid"
    assert product.photos.count() == 0


def test_a_removed_photo_leaves_the_disk_once_committed(
    make_product, owner, picture, media_root, django_capture_on_commit_callbacks
):
    product = make_product()
    photo = services.product_photo_add(actor=owner, product=product, upload=picture())
    stored = Path(media_root) / photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        services.product_photo_remove(actor=owner, product=product, photo_id=photo.pk)
    assert product.photos.count() == 0 and not stored.exists()


def test_a_photo_of_another_product_cannot_be_removed_through_this_one(
    make_product, owner, picture
):
    first, second = make_product(), make_product(name="Gula pasir 1 kg")
    photo = services.product_photo_add(actor=owner, product=second, upload=picture())
    with pytest.raises(services.PhotoNotFound):
        services.product_photo_remove(actor=owner, product=first, photo_id=photo.pk)
    assert second.photos.count() == 1
