"""The pure parts of search: cutting a query into words, and closeness of spellings."""

import pytest

from peken.catalog.search_input import QUERY_MAX_LENGTH, WORDS_MAX, QueryTooLong, search_words
from peken.catalog.search_keywords import closest, edit_distance


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Beras Premium", ["beras", "premium"]),
        ("  beras   beras ", ["beras"]),
        ("'; DROP TABLE catalog_product; --", ["drop", "table", "catalog", "product"]),
        ("beras & gula | !telur:*", ["beras", "gula", "telur"]),
        ('"beras" OR NEAR(gula) *', ["beras", "or", "near", "gula"]),
        ("%_%", []),
        ("minyak-goreng 2L", ["minyak", "goreng", "2l"]),
        ("Kue Lapis Légit", ["kue", "lapis", "légit"]),
        ("\x00beras", ["beras"]),
        (None, []),
    ],
)
def test_a_query_becomes_lower_case_words_of_letters_and_digits(query, words):
    assert search_words(query) == words


def test_only_the_first_words_count():
    assert len(search_words(" ".join(f"kata{n}" for n in range(20)))) == WORDS_MAX


def test_a_query_over_the_limit_is_refused():
    search_words("a" * QUERY_MAX_LENGTH)
    with pytest.raises(QueryTooLong) as refused:
        search_words("a" * (QUERY_MAX_LENGTH + 1))
    assert refused.value.code == "query_too_long"


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("beras", "beras", 0),
        ("bras", "beras", 1),
        ("berass", "beras", 1),
        ("telor", "telur", 1),
        ("gual", "gula", 1),
        ("kripik", "keripik", 1),
        ("sambel", "sambal", 1),
        ("bawnag", "bawang", 1),
        ("gula", "susu", 3),
        ("", "abc", 3),
    ],
)
def test_edit_distance_counts_a_swap_as_one(first, second, distance):
    assert edit_distance(first, second) == distance == edit_distance(second, first)


def test_closest_terms_share_the_first_letter_and_prefer_the_common():
    terms = [("beras", 900), ("berat", 40), ("keras", 500), ("bras", 1), ("brambang", 80)]
    assert closest("bras", terms) == ["beras"]  # "berat" is two edits away, "keras" a k
    assert closest("berass", terms) == ["beras", "berat", "bras"]
    assert closest("berak", terms) == ["beras", "berat"]
