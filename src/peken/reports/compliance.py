"""Kepatuhan: which ASN met their monthly obligation, by OPD, for the whole city.

Every person's figures come from peken.obligations.selectors.month_compliance — the frozen
results of a closed month, else the live figures of every active ASN — the same figures the
ASN's own page and their OPD's list show; this module only counts them by OPD.

*Met* = owed something and spent at least that; *exempt* = owed nothing this month; the share
of compliance is met / (ASN − exempt).

Names are not read with the figures: 16,000 of them would cost more than everything else here.
`named(rows)` adds them to the rows a page shows or a file holds.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from peken.accounts.models import OPD, AsnProfile
from peken.core.months import Month
from peken.obligations.selectors import AsnMonth, month_compliance
from peken.reports import rules


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
    compliance = month_compliance(month)
    people = compliance.people
    opds = {pk: (code, name) for pk, code, name in OPD.objects.values_list("pk", "code", "name")}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for person in people:
        line = counts[person.opd_id]
        status = person.figures.status
        line[0] += 1
        line[1] += status == "met"
        line[2] += status == "exempt"
        line[3] += status == "unmet"
        line[4] += person.figures.remaining
    by_opd = [
        OpdLine(*opds[opd_id], asn, met, exempt, unmet, rules.share(met, asn - exempt), short)
        for opd_id, (asn, met, exempt, unmet, short) in counts.items()
    ]
    by_opd.sort(key=lambda line: (-(line.share or 0), -line.asn, line.code))
    totals = [sum(line[index] for line in counts.values()) for index in range(5)]
    return Compliance(
        is_closed=compliance.is_closed,
        asn=totals[0],
        met=totals[1],
        exempt=totals[2],
        unmet=totals[3],
        share=rules.share(totals[1], totals[0] - totals[2]),
        shortfall=totals[4],
        by_opd=by_opd,
        unmet_people=_unmet(people, opds),
    )


def _unmet(people: list[AsnMonth], opds: dict[int, tuple[str, str]]) -> list[Shortfall]:
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
        if person.figures.status == "unmet"
    ]
    return sorted(unmet, key=lambda row: (-row.shortfall, row.nip))


NAMES_BY_ID_UP_TO = 500  # beyond this, one read of every name beats a long IN list


def named(rows: list[Shortfall]) -> list[Shortfall]:
    """The rows with each person's name filled in (one query)."""
    profiles = AsnProfile.objects.order_by()
    if len(rows) <= NAMES_BY_ID_UP_TO:
        profiles = profiles.filter(pk__in=[row.asn_id for row in rows])
    names = dict(profiles.values_list("pk", "user__full_name"))
    return [replace(row, full_name=names.get(row.asn_id, "")) for row in rows]
