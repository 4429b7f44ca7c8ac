import pytest

from peken.obligations.rules import RuleLine, figures, required_amount

TABLE = [
    RuleLine("", "*", 300_000),
    RuleLine("III/a", "*", 500_000),
    RuleLine("IV/a", "*", 750_000),
    RuleLine("", "III.a", 1_000_000),
    RuleLine("IV/a", "II.b", 1_500_000),
]


@pytest.mark.parametrize(
    "golongan, eselon, expected",
    [
        ("III/a", "", 500_000),  # by golongan
        ("II/c", "", 300_000),  # the default line
        ("III/a", "III.a", 1_000_000),  # two lines equally specific: the higher amount
        ("IV/a", "II.b", 1_500_000),  # both match: most specific
        ("IV/a", "IV.b", 750_000),
    ],
)
def test_the_most_specific_line_wins(golongan, eselon, expected):
    assert required_amount(golongan=golongan, eselon=eselon, table=TABLE) == expected


def test_no_table_means_nothing_owed():
    assert required_amount(golongan="III/a", eselon="", table=[]) == 0


def test_short_by_one_rupiah_is_not_met():
    assert figures(required=500_000, spent=499_999).is_met is False
    assert figures(required=500_000, spent=499_999).remaining == 1
    assert figures(required=500_000, spent=500_000).is_met is True
    assert figures(required=500_000, spent=900_000).remaining == 0


def test_an_exempt_person_owes_nothing():
    result = figures(required=500_000, spent=0, is_exempt=True)
    assert (result.required, result.is_met, result.is_exempt) == (0, True, True)
