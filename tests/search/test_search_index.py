"""The keyword index, and the words close spellings are drawn from, follow every write, whatever
makes it (migrations catalog 0004 and 0005)."""

import importlib

import pytest
from django.db import connection

import factories
from peken.catalog.models import Product
from peken.catalog.search import merchant_search, product_search

pytestmark = pytest.mark.django_db


def names(page) -> list[str]:
    return [item.name for item in page.items]


def test_a_changed_search_text_is_found_by_its_new_words_only(catalog):
    product = catalog.gula
    product.name = "Gula Aren Cair"
    product.search_text = "Gula Aren Cair Warung Pak Darmo"
    product.save()
    assert names(product_search(q="aren")) == ["Gula Aren Cair"]
    assert product_search(q="pasir").total == 0


def test_a_bulk_update_is_followed_too(catalog):
    Product.objects.filter(pk=catalog.telur.pk).update(search_text="Telur Bebek Toko Bu Sri")
    assert product_search(q="bebek").total == 1


def test_a_deleted_product_is_gone_from_the_index(catalog):
    catalog.gula.delete()
    assert product_search(q="gula").total == 0
    if connection.vendor == "sqlite":
        assert fts_count("catalog_product_fts", "gula") == 0


def test_a_deleted_shop_takes_its_products_out_of_the_index(catalog):
    catalog.pak_darmo.delete()
    assert merchant_search(q="darmo").total == 0
    if connection.vendor == "sqlite":
        assert fts_count("catalog_merchant_fts", "darmo") == 0
        assert fts_count("catalog_product_fts", "darmo") == 0


def test_a_renamed_shop_is_found_by_its_new_name(catalog):
    shop = catalog.bu_sri
    shop.name = "Toko Sri Rejeki"
    shop.save()
    assert names(merchant_search(q="rejeki")) == ["Toko Sri Rejeki"]
    assert merchant_search(q="bu").total == 0


def test_a_stock_change_does_not_touch_the_index(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        Product.objects.filter(pk=catalog.gula.pk).update(stock=3)
    assert product_search(q="gula").items[0].stock == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_the_sqlite_triggers_survive_every_later_migration():
    # Django rebuilds a table on SQLite to alter it, which drops its triggers: a later migration
    # on catalog_product or merchants_merchant must reinstall them (see migration 0004).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            ["catalog_%_fts_%"],
        )
        found = {row[0] for row in cursor.fetchall()}
    assert found == {
        f"catalog_{table}_fts_{event}"
        for table in ("product", "merchant")
        for event in ("insert", "update", "delete")
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_the_postgresql_keyword_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["catalog_%search_%"]
        )
        found = {row[0] for row in cursor.fetchall()}
    # The trigram indexes over whole texts (0004) gave way to the vocabulary's (0005).
    assert found == {
        "catalog_product_search_vector",
        "catalog_merchant_search_vector",
        "catalog_search_word_word",
        "catalog_search_word_trigram",
    }


def fts_count(table: str, word: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH %s", [f'"{word}"'])
        return cursor.fetchone()[0]


def test_factories_and_the_index_agree_on_what_a_product_is(db):
    shop = factories.merchant(name="Toko Uji Indeks")
    factories.product(shop, name="Minyak Goreng 2 liter", description="Kemasan pouch")
    assert names(product_search(q="pouch")) == ["Minyak Goreng 2 liter"]
    assert names(product_search(q="indeks")) == ["Minyak Goreng 2 liter"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_triggers_dropped_by_a_later_migration_come_back_with_the_index_rebuilt(catalog):
    from django.apps import apps

    search_index = importlib.import_module("peken.catalog.search_index")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER catalog_product_fts_update")
    Product.objects.filter(pk=catalog.gula.pk).update(search_text="Gula Aren Warung Pak Darmo")
    assert product_search(q="aren").total == 0  # the index missed the change

    search_index.triggers_restore(sender=apps.get_app_config("catalog"))
    assert names(product_search(q="aren")) == ["Gula Pasir 1 kg"]
    Product.objects.filter(pk=catalog.telur.pk).update(search_text="Telur Puyuh Toko Bu Sri")
    assert names(product_search(q="puyuh")) == ["Telur Ayam Negeri 1 kg"]


# --- close spellings of words written after the index was built ------------------------------


def test_a_new_products_words_are_known_to_close_spellings(catalog):
    factories.product(catalog.bu_sri, name="Kerupuk Udang Sidoarjo")
    found = product_search(q="kerupukk")
    assert (names(found), found.is_fuzzy) == (["Kerupuk Udang Sidoarjo"], True)


def test_a_changed_search_texts_new_words_are_known_to_close_spellings(catalog):
    Product.objects.filter(pk=catalog.gula.pk).update(search_text="Gula Aren Warung Pak Darmo")
    assert names(product_search(q="arenn")) == ["Gula Pasir 1 kg"]


def test_a_renamed_shops_new_name_is_known_to_close_spellings(catalog):
    shop = catalog.pak_darmo
    shop.name = "Warung Sumber Makmur"
    shop.save()
    assert names(merchant_search(q="makmurr")) == ["Warung Sumber Makmur"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL vocabulary")
def test_a_stock_change_teaches_the_vocabulary_nothing(catalog):
    # A checkout changes stock: it must not pay for reading the product's words.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_search_word WHERE word = 'gula'")
        Product.objects.filter(pk=catalog.gula.pk).update(stock=3)
        cursor.execute("SELECT count(*) FROM catalog_search_word WHERE word = 'gula'")
        assert cursor.fetchone()[0] == 0
        catalog.gula.save()  # every column, the same text: nothing to learn either
        cursor.execute("SELECT count(*) FROM catalog_search_word WHERE word = 'gula'")
        assert cursor.fetchone()[0] == 0
