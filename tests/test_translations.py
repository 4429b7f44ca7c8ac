"""Every message reads in the visitor's language: the English catalogue is complete, and a refused
action comes back in English through the API when asked for, with the same machine code."""

from pathlib import Path

import polib
import pytest

import factories
from factories import KEDUNGDORO
from peken.core.rule_errors import Label, RuleError, gettext_noop, translate_with

LOCALE = Path(__file__).resolve().parents[1] / "src" / "peken" / "locale"
ENGLISH_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def test_the_english_catalogue_has_a_checked_translation_for_every_message():
    catalogue = polib.pofile(str(ENGLISH_PO))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []


def test_the_compiled_catalogue_is_the_one_of_the_po_file():
    """The .mo is committed: a .po edited without compilemessages would not show."""
    compiled = polib.mofile(str(ENGLISH_PO.with_suffix(".mo")))
    written = polib.pofile(str(ENGLISH_PO))
    as_compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled}
    as_written = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in written if e.msgid}
    assert as_compiled.keys() - {(None, "")} == as_written.keys()
    assert all(as_compiled[key] == value for key, value in as_written.items())


def test_a_pure_rule_refusal_is_indonesian_until_a_translator_is_installed():
    class Refused(RuleError):
        pass

    error = Refused(
        gettext_noop("Pesanan yang %(status)s tidak dapat diubah dengan cara ini."),
        status=Label(gettext_noop("dibatalkan")),
    )
    words = {
        "Pesanan yang %(status)s tidak dapat diubah dengan cara ini.": "Order %(status)s.",
        "dibatalkan": "cancelled",
    }
    try:
        translate_with(lambda message: message)
        assert str(error) == "Pesanan yang dibatalkan tidak dapat diubah dengan cara ini."
        translate_with(lambda message: words.get(message, message))
        assert str(error) == "Order cancelled."
    finally:
        from django.utils.translation import gettext

        translate_with(gettext)


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def cancelled_order(db, api):
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri")
    rice = factories.product(shop, name="Beras 5 kg", price=75_000, stock=10)
    buyer = factories.asn()
    placed = api(buyer).post(
        "/checkout",
        {
            "items": [{"product_id": rice.pk, "quantity": 1}],
            "fulfilment": "pickup",
            "address": "",
        },
    )
    assert placed.status_code == 201, placed.content
    order_id = placed.json()["orders"][0]["id"]
    assert api(buyer).post(f"/orders/{order_id}/cancel").status_code == 200
    return buyer, order_id


def test_an_api_refusal_is_indonesian_by_default(api, cancelled_order):
    buyer, order_id = cancelled_order
    again = api(buyer).post(f"/orders/{order_id}/cancel")
    assert again.status_code == 409
    assert again.json()["code"] == "order_status_conflict"
    assert again.json()["message"] == (
        "Pesanan yang dibatalkan tidak dapat diubah dengan cara ini."
    )


def test_an_api_refusal_is_english_with_accept_language_en_and_keeps_its_code(api, cancelled_order):
    buyer, order_id = cancelled_order
    again = api(buyer).post(f"/orders/{order_id}/cancel", headers={"Accept-Language": "en"})
    assert again.status_code == 409
    assert again.json()["code"] == "order_status_conflict"
    assert again.json()["message"] == "An order that is cancelled cannot be changed this way."
    assert again.headers["Content-Language"] == "en"


def test_a_class_default_message_follows_the_request_language_too(api, db):
    """default_message is lazy: it is translated when raised, not when the module loaded."""
    buyer = factories.asn()
    indonesian = api(buyer).get("/orders/999999")
    english = api(buyer).get("/orders/999999", headers={"Accept-Language": "en"})
    assert indonesian.status_code == english.status_code == 404
    assert indonesian.json() == {"code": "order_not_found", "message": "Pesanan tidak ditemukan."}
    assert english.json() == {"code": "order_not_found", "message": "Order not found."}
