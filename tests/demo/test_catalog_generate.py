"""catalog_generate: the bulk shops and products behind the benchmarks and the demo."""

import datetime as dt

import pytest

from peken.accounts.models import Role, User
from peken.accounts.rules import check_nik
from peken.catalog.models import Category, Product, ProhibitedTerm, ReferenceItem, Unit
from peken.catalog.rules import prohibited_match, reference_mismatch, search_text_for
from peken.demo.shops import ShopMaker, assortments_read, catalog_generate, reference_items_load
from peken.merchants.models import BankAccount, Merchant
from peken.merchants.rules import BANKS, check_kind_and_line
from peken.regions.models import Kecamatan, Kelurahan

pytestmark = pytest.mark.django_db


def picture() -> tuple[list, list]:
    """What a run made, in a form two runs can be compared by."""
    shops = list(
        Merchant.objects.order_by("id").values_list(
            "owner__username",
            "owner__nik",
            "owner__full_name",
            "name",
            "kind",
            "line",
            "kelurahan__code",
            "is_mbr",
            "bank_account__account_number",
        )
    )
    products = list(
        Product.objects.order_by("id").values_list(
            "merchant__name", "name", "price", "unit", "stock", "is_made_to_order", "category__slug"
        )
    )
    return shops, products


def wipe() -> None:
    Product.objects.all().delete()
    owners = list(Merchant.objects.values_list("owner_id", flat=True))
    Merchant.objects.all().delete()
    User.objects.filter(id__in=owners).delete()


def test_generates_the_requested_shops_and_products():
    catalog_generate(merchant_count=200, product_count=3_000, seed=3)
    shops = Merchant.objects.select_related("owner", "bank_account")
    assert shops.count() == 200 and Product.objects.count() == 3_000
    assert set(shops.values_list("status", flat=True)) == {Merchant.Status.VERIFIED}
    assert (
        shops.values("kelurahan__kecamatan").distinct().count() == Kecamatan.objects.count() == 31
    )
    assert shops.values("kelurahan").distinct().count() == Kelurahan.objects.count()
    assert shops.filter(kind=Merchant.Kind.TOKO_KELONTONG).count() == 140
    assert set(shops.values_list("line", flat=True)) == {
        "",
        "kuliner",
        "kerajinan",
        "fashion",
        "lainnya",
    }
    assert 20 <= shops.filter(is_mbr=True).count() <= 60
    for shop in shops:
        check_kind_and_line(shop.kind, shop.line)
        check_nik(shop.owner.nik, today=dt.date(2026, 1, 1))
        assert shop.owner.has_role(Role.MERCHANT) and not shop.owner.has_usable_password()
        assert shop.owner.phone.startswith("08") and shop.phone == shop.owner.phone
        assert shop.bank_account.bank_code in BANKS
        assert shop.products.exists()


def test_products_are_priced_in_whole_rupiah_and_searchable():
    catalog_generate(merchant_count=60, product_count=1_500, seed=4)
    products = Product.objects.select_related("merchant")
    assert not products.filter(price__lte=0).exists()
    for product in products:
        assert type(product.price) is int and product.stock >= 0
        assert product.unit in Unit.values
        assert product.search_text == search_text_for(
            name=product.name, description=product.description, merchant_name=product.merchant.name
        )
        if product.is_made_to_order:
            assert product.stock == 0
    kuliner = products.filter(merchant__line="kuliner")
    assert kuliner.filter(unit="porsi").exists() and kuliner.filter(is_made_to_order=True).exists()
    assert products.filter(stock=0, is_made_to_order=False).exists()
    sells_rice = products.filter(name__istartswith="beras").values("merchant").distinct()
    assert sells_rice.count() == Merchant.objects.filter(kind="toko_kelontong").count()


def test_the_same_seed_makes_the_same_catalog():
    catalog_generate(merchant_count=40, product_count=400, seed=7)
    first = picture()
    wipe()
    catalog_generate(merchant_count=40, product_count=400, seed=7)
    assert picture() == first
    wipe()
    catalog_generate(merchant_count=40, product_count=400, seed=8)
    assert picture() != first


def test_a_second_run_adds_new_owners_beside_the_first():
    catalog_generate(merchant_count=30, product_count=100, seed=5)
    catalog_generate(merchant_count=30, product_count=100, seed=5)
    assert Merchant.objects.count() == 60 and Product.objects.count() == 200
    assert Merchant.objects.values("owner").distinct().count() == 60


def test_kelurahan_can_be_chosen():
    codes = ["35.78.05.1003", "35.78.01.1001"]
    catalog_generate(merchant_count=12, product_count=5, seed=1, kelurahan_codes=codes)
    assert set(Merchant.objects.values_list("kelurahan__code", flat=True)) == set(codes)
    assert Product.objects.count() == 5
    assert BankAccount.objects.count() == 12


def test_goods_on_the_reference_list_carry_the_reference_price():
    items = reference_items_load()
    catalog_generate(merchant_count=80, product_count=800, seed=2)
    linked = Product.objects.exclude(reference_item=None).select_related("reference_item")
    assert linked.values("reference_item").distinct().count() >= 5
    for product in linked:
        item = product.reference_item
        assert product.name == str(item)
        assert not reference_mismatch(
            price=product.price,
            unit=product.unit,
            reference_price=item.price,
            reference_unit=item.unit,
        )
    assert reference_items_load() == items  # loading again adds nothing
    assert ReferenceItem.objects.count() == len(items)


def test_the_template_goods_are_sellable():
    """Every template names a real category and unit, and no word the city forbids."""
    terms = list(ProhibitedTerm.objects.values_list("term", "reason"))
    assert terms  # the city defaults from migration catalog 0003
    slugs = set(Category.objects.values_list("slug", flat=True))
    assortments = assortments_read()
    assert set(assortments) == {"toko_kelontong", "kuliner", "kerajinan", "fashion", "lainnya"}
    for assortment in assortments.values():
        for good in assortment.goods:
            assert good.category_slug in slugs and good.unit in Unit.values, good
            assert good.price > 0 and "{" not in good.name, good
            assert not prohibited_match(name=good.name, description=good.description, terms=terms)


def test_reference_items_match_a_template_good_at_their_price():
    goods = {good.name: good for good in assortments_read()["toko_kelontong"].goods}
    for item in reference_items_load():
        good = goods[str(item)]
        assert (good.price, good.unit) == (item.price, item.unit)


def test_a_shop_asked_for_more_than_it_sells_lists_bundles_with_distinct_names():
    maker = ShopMaker(1)
    [shop] = maker.shops(1, kinds=[("umkm", "lainnya")])
    pool = len(maker.assortments["lainnya"].goods)
    maker.catalogs([shop], 3 * pool)
    names = list(shop.products.values_list("name", flat=True))
    assert len(names) == len(set(names)) == 3 * pool
    assert any("(paket isi 2)" in name for name in names)


def test_no_kelurahan_to_place_shops_in_is_refused():
    with pytest.raises(ValueError, match="kelurahan"):
        catalog_generate(merchant_count=1, product_count=1, seed=1, kelurahan_codes=["99.99"])
    assert not Merchant.objects.exists()
