"""Catalog rules without a database: prices, stock, prohibited words, the review after an edit."""

import pytest

from peken.catalog import rules

TERMS = [
    ("emas", "Emas dan logam mulia"),
    ("logam mulia", "Emas dan logam mulia"),
    ("rokok", "Rokok dan produk tembakau"),
    ("bir", "Minuman beralkohol"),
]


@pytest.mark.parametrize(
    "name, description, expected",
    [
        ("Rokok Surya 12", "", "rokok"),
        ("ROKOK kretek", "", "rokok"),
        ("Paket hemat", "isi: rokok, kopi", "rokok"),
        ("Kalung emas 24 karat", "", "emas"),
        ("Emas-emasan untuk mainan", "", "emas"),
        ("Perhiasan", "Logam\nmulia asli", "logam mulia"),
        ("Bir pletok Betawi", "", "bir"),
        ("Kue kering kemasan toples", "", None),
        ("Kemasan plastik", "dikemas rapi", None),
        ("Birthday cake cokelat", "", None),
        ("Perokok pasif dilarang", "", None),
        ("Logam", "mulia", "logam mulia"),  # name and description are read as one text
    ],
)
def test_prohibited_words_match_whole_words_whatever_their_case(name, description, expected):
    found = rules.prohibited_match(name=name, description=description, terms=TERMS)
    assert (found.term if found else None) == expected


@pytest.mark.parametrize(
    "name",
    [
        "r0k0k kretek",  # digits for letters
        "r\u200bokok filter",  # zero-width space inside the word
        "ro\u00adkok",  # soft hyphen
        "r\u043ek\u043ek",  # Cyrillic о
        "ＲＯＫＯＫ",  # full-width letters
        "rókok",  # accent
        "R\u200dO\u200cK0K",  # joiners, upper case and a digit together
    ],
)
def test_prohibited_words_hidden_by_look_alikes_are_still_caught(name):
    found = rules.prohibited_match(name=name, description="", terms=TERMS)
    assert found is not None and found.term == "rokok"


def test_look_alike_folding_keeps_honest_words_apart():
    for name in ["Kemasan 500 gram", "Birthday cake", "Perokok pasif dilarang", "Paket 2 kg"]:
        assert rules.prohibited_match(name=name, description="", terms=TERMS) is None


def test_the_hold_reason_names_the_word_and_why():
    found = rules.prohibited_match(name="Rokok Surya", description="", terms=TERMS)
    assert "'rokok'" in found.hold_reason
    assert "Rokok dan produk tembakau" in found.hold_reason


@pytest.mark.parametrize("price", [0, -1, 1.5, 10_000.0, "10rb", "10000", True, None])
def test_a_price_is_a_whole_rupiah_amount_above_zero(price):
    with pytest.raises(rules.CatalogRuleError) as caught:
        rules.check_price(price)
    assert caught.value.field == "price"


def test_a_price_above_the_typo_guard_is_refused_but_the_guard_itself_is_fine():
    assert rules.check_price(rules.MAX_PRICE) == rules.MAX_PRICE
    with pytest.raises(rules.CatalogRuleError, match="100.000.000"):
        rules.check_price(rules.MAX_PRICE + 1)


@pytest.mark.parametrize("stock", [-1, 1.0, "5", False])
def test_stock_is_a_whole_number_not_below_zero(stock):
    with pytest.raises(rules.CatalogRuleError):
        rules.check_stock(stock)


def test_made_to_order_goods_keep_no_stock_whatever_was_typed():
    assert rules.stock_for(stock=25, is_made_to_order=True) == 0
    assert rules.stock_for(stock=-1, is_made_to_order=True) == 0
    assert rules.stock_for(stock=25, is_made_to_order=False) == 25


def test_reference_mismatch_names_the_expected_price_and_unit():
    assert (
        rules.reference_mismatch(
            price=15_000, unit="kg", reference_price=15_000, reference_unit="kg"
        )
        is None
    )
    problem = rules.reference_mismatch(
        price=16_000, unit="kg", reference_price=15_000, reference_unit="kg"
    )
    assert "Rp 15.000 per kg" in problem
    assert rules.reference_mismatch(
        price=15_000, unit="pcs", reference_price=15_000, reference_unit="kg"
    )


@pytest.mark.parametrize(
    "term, expected",
    [("  Logam   MULIA ", "logam mulia"), ("Vape", "vape"), ("pisau-lipat", "pisau-lipat")],
)
def test_terms_are_stored_lower_case_with_single_spaces(term, expected):
    assert rules.normalize_term(term) == expected


@pytest.mark.parametrize("term", ["", "a", "rokok!", "emas%"])
def test_terms_that_cannot_be_matched_as_words_are_refused(term):
    with pytest.raises(rules.CatalogRuleError):
        rules.normalize_term(term)


HOLD = rules.ProhibitedMatch("rokok", "Rokok dan produk tembakau")
APPROVED = rules.Review(rules.APPROVED, "")
REJECTED = rules.Review(rules.REJECTED, "Bukan produk sendiri")
HELD = rules.Review(rules.ON_HOLD, HOLD.hold_reason)


@pytest.mark.parametrize(
    "current, text_changed, match, expected_state",
    [
        # Price, stock or photos only: whatever an officer decided stands.
        (APPROVED, False, None, rules.APPROVED),
        (REJECTED, False, None, rules.REJECTED),
        (HELD, False, None, rules.ON_HOLD),
        # New text with a prohibited word: held, even if an officer had approved the old text.
        (APPROVED, True, HOLD, rules.ON_HOLD),
        (REJECTED, True, HOLD, rules.ON_HOLD),
        # New harmless text: approved stays approved; a hold or rejection waits for an officer.
        (APPROVED, True, None, rules.APPROVED),
        (HELD, True, None, rules.ON_HOLD),
        (REJECTED, True, None, rules.ON_HOLD),
    ],
)
def test_review_after_an_edit(current, text_changed, match, expected_state):
    review = rules.review_after_edit(current=current, text_changed=text_changed, match=match)
    assert review.state == expected_state


def test_an_edit_never_loses_the_officers_rejection_reason_unless_the_text_changes():
    assert rules.review_after_edit(current=REJECTED, text_changed=False, match=None) == REJECTED
    reopened = rules.review_after_edit(current=REJECTED, text_changed=True, match=None)
    assert reopened.reason == rules.REREVIEW_REASON


def test_a_new_product_is_held_only_when_a_word_matches():
    assert rules.review_for_new(None) == APPROVED
    assert rules.review_for_new(HOLD).state == rules.ON_HOLD


def test_search_text_joins_product_and_shop_words():
    assert (
        rules.search_text_for(name="Beras", description=" pulen ", merchant_name="Toko Sri")
        == "Beras pulen Toko Sri"
    )
