"""The policies a city compares: a monthly cap per shop (or none) and fair ranking on or off."""

from dataclasses import dataclass

from peken.quotas.rules import CAP_MAX

# "No cap" is a cap no shop can reach in a month (Rp 10^12, the largest a city may set): the
# database keeps a number either way.
NO_CAP = CAP_MAX
DEFAULT_CAP = 30_000_000


@dataclass(frozen=True)
class Policy:
    cap: int | None  # None: no cap
    fair_ranking: bool

    @property
    def label(self) -> str:
        cap = "none" if self.cap is None else str(self.cap)
        return f"cap={cap},fair={'on' if self.fair_ranking else 'off'}"

    @property
    def cap_amount(self) -> int:
        return NO_CAP if self.cap is None else self.cap


def policy_parse(text: str) -> Policy:
    """`cap=30000000,fair=on`, `cap=none,fair=off`; missing keys take Surabaya's: 30 juta, on."""
    values = {"cap": str(DEFAULT_CAP), "fair": "on"}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        key, _, value = part.partition("=")
        if key not in values or not value:
            raise ValueError(f"unknown policy part {part!r} (use cap=<rupiah>|none, fair=on|off)")
        values[key] = value.strip().lower()
    if values["fair"] not in ("on", "off"):
        raise ValueError("fair must be on or off")
    cap = None if values["cap"] == "none" else int(values["cap"].replace(".", "").replace("_", ""))
    if cap is not None and not 0 < cap <= CAP_MAX:
        raise ValueError(f"cap must be 1 to {CAP_MAX} rupiah, or none")
    return Policy(cap=cap, fair_ranking=values["fair"] == "on")


# What `--compare` runs side by side: the baseline without rules, the cap alone, both rules.
COMPARED = (
    Policy(cap=None, fair_ranking=False),
    Policy(cap=DEFAULT_CAP, fair_ranking=False),
    Policy(cap=DEFAULT_CAP, fair_ranking=True),
)
