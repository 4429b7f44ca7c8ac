"""The report arithmetic on distributions whose answers are known."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peken.reports import rules


@pytest.mark.parametrize("count", [1, 2, 5, 300])
def test_gini_is_zero_when_every_shop_takes_the_same(count):
    assert rules.gini([1_500_000] * count) == 0


@pytest.mark.parametrize("count", [2, 4, 10, 1_000])
def test_gini_is_n_minus_one_over_n_when_one_shop_takes_everything(count):
    values = [0] * (count - 1) + [30_000_000]
    assert rules.gini(values) == pytest.approx((count - 1) / count, abs=1e-15)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5], Fraction(4, 15)),  # the textbook 0.2667
        ([5, 4, 3, 2, 1], Fraction(4, 15)),  # order does not matter
        ([10, 20, 30, 40, 50], Fraction(4, 15)),  # nor does the unit
        ([0, 0, 1, 1], Fraction(1, 2)),  # half the shops share it all evenly
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 91], Fraction(81, 100)),  # one shop takes 91 %
        ([0, 3], Fraction(1, 2)),
    ],
)
def test_gini_of_textbook_distributions(values, expected):
    assert rules.gini(values) == pytest.approx(float(expected), abs=1e-15)


def test_shops_with_nothing_make_the_gini_worse():
    equal_among_sellers = [2_000_000] * 8
    assert rules.gini(equal_among_sellers) == 0
    assert rules.gini(equal_among_sellers + [0, 0]) == pytest.approx(0.2)


def test_gini_of_nothing_is_unknown_not_zero():
    assert rules.gini([]) is None
    assert rules.gini([0, 0, 0]) is None


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=60))
def test_gini_stays_between_zero_and_n_minus_one_over_n(values):
    result = rules.gini(values)
    if sum(values) == 0:
        assert result is None
    else:
        assert -1e-12 <= result <= (len(values) - 1) / len(values) + 1e-12


def test_the_lorenz_curve_runs_from_nothing_to_everything_below_the_diagonal():
    points = rules.lorenz_points([0, 0, 10, 30, 60])
    assert points == [(0.0, 0.0), (0.2, 0.0), (0.4, 0.0), (0.6, 0.1), (0.8, 0.4), (1.0, 1.0)]


def test_the_lorenz_curve_of_many_shops_is_thinned_to_points_on_the_curve():
    values = list(range(1, 5_001))
    points = rules.lorenz_points(values, most=101)
    assert len(points) == 101
    assert points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)
    total = sum(values)
    for share_of_shops, share_of_money in points:
        rank = round(share_of_shops * len(values))
        assert share_of_money == pytest.approx(sum(values[:rank]) / total)


def test_the_lorenz_curve_of_nothing_is_the_diagonal():
    assert rules.lorenz_points([]) == [(0.0, 0.0), (1.0, 1.0)]


def test_the_top_tenth_is_at_least_one_shop_and_rounds_up():
    assert rules.top_share([1, 2, 3, 4, 10]) == pytest.approx(0.5)  # 1 of 5
    assert rules.top_share([10] * 10) == pytest.approx(0.1)  # 1 of 10
    assert rules.top_share([1] * 9 + [5, 5]) == pytest.approx(10 / 19)  # 2 of 11
    assert rules.top_share([0, 0]) is None


def test_shares_changes_and_averages():
    assert rules.share(1, 4) == 0.25
    assert rules.share(5, 0) is None
    assert rules.change(150, 100) == 0.5
    assert rules.change(50, 100) == -0.5
    assert rules.change(10, 0) is None
    assert rules.average(10_001, 2) == 5_001  # half up
    assert rules.average(10_000, 3) == 3_333
    assert rules.average(0, 0) == 0


def test_a_refund_is_split_over_categories_in_proportion():
    assert rules.refund_allocation(50, {1: 100, 2: 100}) == {1: 25, 2: 25}
    assert rules.refund_allocation(1, {1: 100, 2: 300}) == {1: 0, 2: 1}
    # 2 over three equal parts: the tie goes by key order.
    assert rules.refund_allocation(2, {3: 1, 1: 1, 2: 1}) == {1: 1, 2: 1, 3: 0}
    assert rules.refund_allocation(0, {1: 5}) == {1: 0}
    with pytest.raises(ValueError):
        rules.refund_allocation(11, {1: 10})


@given(
    st.dictionaries(st.integers(1, 30), st.integers(1, 10**7), min_size=1, max_size=8),
    st.data(),
)
def test_a_refund_split_adds_up_and_never_passes_a_part(parts, data):
    refunded = data.draw(st.integers(0, sum(parts.values())))
    split = rules.refund_allocation(refunded, parts)
    assert sum(split.values()) == refunded
    for key, amount in parts.items():
        assert 0 <= split[key] <= amount
        exact = Fraction(refunded * amount, sum(parts.values()))
        assert abs(split[key] - exact) < 1
