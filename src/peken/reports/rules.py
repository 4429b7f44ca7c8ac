"""The arithmetic of the city's reports. Pure: no Django.

Money stays whole rupiah; shares and the Gini coefficient are fractions, computed exactly
(`Fraction`) and handed out as floats only at the end.
"""

from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def gini(values: Sequence[int]) -> float | None:
    """The Gini coefficient of non-negative amounts: 0 when all are equal, (n − 1)/n when one of
    n holds everything. None when there is nothing to share (no values, or all zero).

    With the values sorted ascending x₁ ≤ … ≤ xₙ: G = 2·Σ i·xᵢ / (n·Σ xᵢ) − (n + 1)/n.
    """
    ordered = sorted(values)
    total = sum(ordered)
    count = len(ordered)
    if count == 0 or total == 0:
        return None
    if ordered[0] < 0:
        raise ValueError("the Gini coefficient is for amounts of zero or more")
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    exact = Fraction(2 * weighted, count * total) - Fraction(count + 1, count)
    return float(exact)


def lorenz_points(values: Sequence[int], *, most: int = 101) -> list[tuple[float, float]]:
    """Points of the Lorenz curve, (share of shops, share of the money they took), the poorest
    first, from (0, 0) to (1, 1). The curve is straight between two shops, so points taken at
    shop boundaries lie exactly on it; at most `most` of them (evenly spread) keep a chart small.
    """
    ordered = sorted(values)
    count, total = len(ordered), sum(ordered)
    if count == 0 or total == 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    cumulative = [0]
    for value in ordered:
        cumulative.append(cumulative[-1] + value)
    steps = min(count, max(1, most - 1))
    ranks = sorted({round(step * count / steps) for step in range(steps + 1)})
    return [(rank / count, cumulative[rank] / total) for rank in ranks]


def top_share(values: Sequence[int], *, fraction: Fraction = Fraction(1, 10)) -> float | None:
    """The share of the total taken by the top `fraction` of shops (at least one shop: of 5
    shops the top 10% is the largest one)."""
    total = sum(values)
    if not values or total == 0:
        return None
    count = max(1, -(-len(values) * fraction.numerator // fraction.denominator))  # ceiling
    top = sum(sorted(values, reverse=True)[:count])
    return top / total


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when the whole is zero (a share of nothing is not 0 %)."""
    return part / whole if whole else None


def change(current: int, previous: int) -> float | None:
    """Month-over-month change as a fraction (0.25 = +25 %); None without a previous figure."""
    return (current - previous) / previous if previous else None


def average(total: int, count: int) -> int:
    """Whole rupiah, half up: the average order of Rp 10.001 over 2 orders is Rp 5.001."""
    if count <= 0:
        return 0
    return (2 * total + count) // (2 * count)


def refund_allocation(refunded: int, parts: Mapping[Key, int]) -> dict[Key, int]:
    """Splits a refunded amount over parts (an order's categories, by their line totals) in
    proportion, in whole rupiah that add up to `refunded`, none above its part.

    Largest remainder: each part gets the floor of its exact share; the rupiah left go one each
    to the largest fractions (ties: the larger part, then the key order). The same amount always
    gives the same split: a second refund moves each part by (split of the new total − split of
    the old), so the roll-up always holds the split of everything refunded so far.
    """
    whole = sum(parts.values())
    if not 0 <= refunded <= whole:
        raise ValueError(f"cannot allocate {refunded} over parts totalling {whole}")
    if refunded == 0:
        return dict.fromkeys(parts, 0)
    floors = {key: refunded * amount // whole for key, amount in parts.items()}
    left = refunded - sum(floors.values())
    order = sorted(
        parts,
        key=lambda key: (-(refunded * parts[key] % whole), -parts[key], key),
    )
    for key in order[:left]:
        floors[key] += 1
    return floors
