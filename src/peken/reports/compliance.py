"""Kepatuhan: which ASN met their monthly obligation, by OPD, for the whole city.

A closed month reads the frozen results of the month close (peken.obligations), as they were
signed off. An open month computes what peken.obligations.selectors.results_for would for every
active ASN — the same rule table, overrides, exemptions and obligations.rules arithmetic — but
takes each person's spending from the buyer roll-up instead of their orders, so 16,000 ASN cost
a handful of queries. (The roll-up decides the home kecamatan when an order is paid; the
obligation selector decides it from today's profile: they differ only for an ASN who moved within
the month, and only under the city's home-kecamatan-only switch.)

*Met* = owed something and spent at least that; *exempt* = owed nothing this month; the share
of compliance is met / (ASN − exempt).

Names are not read with the figures: 16,000 of them would cost more than everything else here.
`named(rows)` adds them to the rows a page shows or a file holds.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.db.models import Q

from peken.accounts.models import OPD, AsnProfile
from peken.core.months import Month
from peken.obligations import rules as obligation_rules
from peken.obligations.models import ObligationExemption, ObligationOverride, ObligationResult
from peken.obligations.selectors import is_closed, rule_table
from peken.policy.selectors import policy_current
from peken.quotas.rules import month_key
from peken.reports import rules
from peken.reports.models import BuyerMonth


class Person(NamedTuple):
    """One ASN's figures for the month (a tuple: 16,000 of them are made per dashboard)."""

    asn_id: int
    opd_id: int
    nip: str
    golongan: str
    figures: obligation_rules.ObligationFigures


@dataclass(frozen=True)
class OpdLine:
    code: str
    name: str
    asn: int
    met: int
    exempt: int
    unmet: int
    share: float | None
    shortfall: int


@dataclass(frozen=True)
class Shortfall:
    asn_id: int
    nip: str
    full_name: str  # "" until named()
    opd_code: str
    opd_name: str
    golongan: str
    required: int
    spent: int
    shortfall: int


@dataclass(frozen=True)
class Compliance:
    is_closed: bool
    asn: int
    met: int
    exempt: int
    unmet: int
    share: float | None
    shortfall: int
    by_opd: list[OpdLine]  # the best share first
    unmet_people: list[Shortfall]  # the largest shortfall first


def compliance_of(month: Month) -> Compliance:
    closed = is_closed(month)
    people = _frozen(month) if closed else _live(month)
    opds = {pk: (code, name) for pk, code, name in OPD.objects.values_list("pk", "code", "name")}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for person in people:
        line = counts[person.opd_id]
        line[0] += 1
        line[1] += person.figures.is_met and not person.figures.is_exempt
        line[2] += person.figures.is_exempt
        line[3] += not person.figures.is_met
        line[4] += person.figures.remaining
    by_opd = [
        OpdLine(*opds[opd_id], asn, met, exempt, unmet, rules.share(met, asn - exempt), short)
        for opd_id, (asn, met, exempt, unmet, short) in counts.items()
    ]
    by_opd.sort(key=lambda line: (-(line.share or 0), -line.asn, line.code))
    totals = [sum(line[index] for line in counts.values()) for index in range(5)]
    return Compliance(
        is_closed=closed,
        asn=totals[0],
        met=totals[1],
        exempt=totals[2],
        unmet=totals[3],
        share=rules.share(totals[1], totals[0] - totals[2]),
        shortfall=totals[4],
        by_opd=by_opd,
        unmet_people=_unmet(people, opds),
    )


def _unmet(people: list[Person], opds: dict[int, tuple[str, str]]) -> list[Shortfall]:
    unmet = [
        Shortfall(
            person.asn_id,
            person.nip,
            "",
            *opds[person.opd_id],
            person.golongan,
            person.figures.required,
            person.figures.spent,
            person.figures.remaining,
        )
        for person in people
        if not person.figures.is_met
    ]
    return sorted(unmet, key=lambda row: (-row.shortfall, row.nip))


def _frozen(month: Month) -> list[Person]:
    rows = (
        ObligationResult.objects.filter(month=month_key(month))
        .order_by()
        .values_list(
            "asn_id", "opd_id", "asn__nip", "asn__golongan", "required", "spent", "is_exempt"
        )
    )
    return [
        Person(
            asn_id,
            opd_id,
            nip,
            golongan,
            obligation_rules.figures(required=required, spent=spent, is_exempt=is_exempt),
        )
        for asn_id, opd_id, nip, golongan, required, spent, is_exempt in rows
    ]


def _live(month: Month) -> list[Person]:
    key = month_key(month)
    table = rule_table()
    overrides, exempt = _adjustments(key)
    spent = _spent(key)
    required_by_grade: dict[tuple[str, str], int] = {}
    people = []
    rows = (
        AsnProfile.objects.filter(is_active=True)
        .order_by()
        .values_list("pk", "user_id", "opd_id", "golongan", "eselon", "nip")
    )
    for pk, user_id, opd_id, golongan, eselon, nip in rows:
        required = overrides.get(pk)
        if required is None:
            grade = (golongan, eselon)
            if grade not in required_by_grade:
                required_by_grade[grade] = obligation_rules.required_amount(
                    golongan=golongan, eselon=eselon, table=table
                )
            required = required_by_grade[grade]
        figures = obligation_rules.figures(
            required=required, spent=spent.get(user_id, 0), is_exempt=pk in exempt
        )
        people.append(Person(pk, opd_id, nip, golongan, figures))
    return people


def _adjustments(key) -> tuple[dict[int, int], set[int]]:
    """Overrides and exemptions in force in the month, for the whole city — as
    peken.obligations.selectors reads them for a list of people (the latest override wins)."""
    in_month = Q(from_month__lte=key) & (Q(until_month__isnull=True) | Q(until_month__gte=key))
    overrides = dict(
        ObligationOverride.objects.filter(in_month)
        .order_by("from_month")
        .values_list("asn_id", "amount")
    )
    exempt = set(
        ObligationExemption.objects.filter(from_month__lte=key, until_month__gte=key).values_list(
            "asn_id", flat=True
        )
    )
    return overrides, exempt


def _spent(key) -> dict[int, int]:
    """Each ASN's spending of the month: all of it, or under the city's switch only what they
    spent in their home kecamatan."""
    home_only = policy_current().obligation_home_kecamatan_only
    rows = (
        BuyerMonth.objects.filter(month=key, buyer_kind="asn")
        .order_by()
        .values_list("buyer_id", "goods", "home_goods")
    )
    return {buyer: home if home_only else goods for buyer, goods, home in rows}


NAMES_BY_ID_UP_TO = 500  # beyond this, one read of every name beats a long IN list


def named(rows: list[Shortfall]) -> list[Shortfall]:
    """The rows with each person's name filled in (one query)."""
    profiles = AsnProfile.objects.order_by()
    if len(rows) <= NAMES_BY_ID_UP_TO:
        profiles = profiles.filter(pk__in=[row.asn_id for row in rows])
    names = dict(profiles.values_list("pk", "user__full_name"))
    return [replace(row, full_name=names.get(row.asn_id, "")) for row in rows]
