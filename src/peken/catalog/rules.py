"""Catalog rules: pure functions, no Django. Messages are written in Indonesian and marked for
translation (peken.core.rule_errors): they go straight to the shop owner or officer who typed the
value, in their language."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from peken.core.money import format_thousands
from peken.core.rule_errors import Label, RuleError, gettext_noop, translated

# Review states, the same strings as catalog.models.Product.Review.
APPROVED = "approved"
ON_HOLD = "on_hold"
REJECTED = "rejected"

MAX_PHOTOS = 5
# Guards against a slipped finger (Rp 7.500.000 for a Rp 7.500 bag of crisps) and against numbers
# the database cannot hold; a city that sells dearer goods raises them.
MAX_PRICE = 100_000_000
MAX_STOCK = 1_000_000
MAX_REVIEW_REASON = 300
MAX_NAME = 120
MAX_DESCRIPTION = 3000


class CatalogRuleError(RuleError):
    """A value that breaks a catalog rule; `field` names the input it came from."""

    def __init__(self, template: str, field: str, **params: object) -> None:
        super().__init__(template, **params)
        self.field = field


def search_text_for(*, name: str, description: str, merchant_name: str) -> str:
    """The words a keyword search looks through: the product's and its shop's."""
    return " ".join(part.strip() for part in (name, description, merchant_name) if part)


# --- values -----------------------------------------------------------------------------------


def check_price(price) -> int:
    """A price is a whole number of rupiah above zero (never a float, never a bool)."""
    if isinstance(price, bool) or not isinstance(price, int):
        raise CatalogRuleError(
            gettext_noop("Harga harus bilangan bulat rupiah, tanpa koma."), "price"
        )
    if price <= 0:
        raise CatalogRuleError(gettext_noop("Harga harus lebih dari Rp 0."), "price")
    if price > MAX_PRICE:
        raise CatalogRuleError(
            gettext_noop("Harga paling tinggi Rp %(maximum)s."),
            "price",
            maximum=format_thousands(MAX_PRICE),
        )
    return price


def check_stock(stock) -> int:
    if isinstance(stock, bool) or not isinstance(stock, int):
        raise CatalogRuleError(gettext_noop("Stok harus bilangan bulat."), "stock")
    if stock < 0:
        raise CatalogRuleError(gettext_noop("Stok tidak boleh kurang dari 0."), "stock")
    if stock > MAX_STOCK:
        raise CatalogRuleError(
            gettext_noop("Stok paling banyak %(maximum)s."),
            "stock",
            maximum=format_thousands(MAX_STOCK),
        )
    return stock


def stock_for(*, stock: int, is_made_to_order: bool) -> int:
    """Made-to-order goods have no stock to run out of, so whatever was typed is stored as 0."""
    return 0 if is_made_to_order else check_stock(stock)


def check_name(name: str) -> str:
    return check_label(name, "name", gettext_noop("Nama produk"), max_length=MAX_NAME)


def check_description(description: str) -> str:
    cleaned = description.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise CatalogRuleError(
            gettext_noop("Deskripsi paling panjang %(maximum)s huruf."),
            "description",
            maximum=format_thousands(MAX_DESCRIPTION),
        )
    return cleaned


def check_label(value: str, field: str, label: str, *, max_length: int = 80) -> str:
    """A one-line text that must be filled in: runs of spaces become one. `label` is marked for
    translation where it is written."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise CatalogRuleError(gettext_noop("%(label)s wajib diisi."), field, label=Label(label))
    if len(cleaned) > max_length:
        raise CatalogRuleError(
            gettext_noop("%(label)s paling panjang %(maximum)s huruf."),
            field,
            label=Label(label),
            maximum=max_length,
        )
    return cleaned


def check_review_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise CatalogRuleError(gettext_noop("Alasan penolakan wajib diisi."), "reason")
    if len(cleaned) > MAX_REVIEW_REASON:
        raise CatalogRuleError(
            gettext_noop("Alasan penolakan paling panjang %(maximum)s huruf."),
            "reason",
            maximum=MAX_REVIEW_REASON,
        )
    return cleaned


# --- reference prices (harga acuan) ------------------------------------------------------------


def reference_mismatch(
    *, price: int, unit: str, reference_price: int, reference_unit: str
) -> str | None:
    """Why a product linked to a reference item may not carry this price and unit, or None."""
    if price != reference_price or unit != reference_unit:
        return translated(
            gettext_noop("Produk ini memakai harga acuan kota: harus Rp %(price)s per %(unit)s."),
            price=format_thousands(reference_price),
            unit=reference_unit,
        )
    return None


# --- prohibited goods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProhibitedMatch:
    term: str
    reason: str

    @property
    def hold_reason(self) -> str:
        return (
            f"Mengandung kata '{self.term}' ({self.reason}). "
            "Produk ditahan sampai diperiksa petugas."
        )


REREVIEW_REASON = "Produk sudah diubah. Menunggu pemeriksaan ulang petugas."


def normalize_term(term: str) -> str:
    """Terms are stored lower case with single spaces; matching ignores case anyway."""
    cleaned = " ".join(term.lower().split())
    if len(cleaned) < 2:
        raise CatalogRuleError(gettext_noop("Kata terlarang paling sedikit 2 huruf."), "term")
    if not re.fullmatch(r"[\w\s-]+", cleaned):
        raise CatalogRuleError(
            gettext_noop("Kata terlarang hanya boleh berisi huruf, angka dan spasi."), "term"
        )
    return cleaned


# Letters from other scripts that look like Latin ones: "rоkоk" with Cyrillic о reads as
# "rokok" to a buyer, so it must to the filter too. Checked after case folding.
_LOOK_ALIKE_LETTERS = str.maketrans(
    {
        "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "н": "h", "і": "i", "ј": "j",
        "к": "k", "м": "m", "о": "o", "р": "p", "ѕ": "s", "т": "t", "у": "y", "х": "x",
        "ԁ": "d", "ɡ": "g", "ո": "n", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
        "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "ı": "i",
    }
)  # fmt: skip
# Digits and signs that stand in for letters ("r0k0k", "mir4s"): a term's letter also matches
# these where it stands in a word.
_STAND_INS = {
    "a": "4@", "b": "8", "e": "3", "g": "69", "i": "1!|l", "l": "1!|i", "o": "0",
    "s": "5$", "t": "7", "z": "2",
}  # fmt: skip


def fold_for_matching(text: str) -> str:
    """Text as a reader sees it: compatibility forms unified (NFKC: full-width letters,
    ligatures), invisible format characters (zero-width space and joiners, soft hyphen)
    dropped, accents dropped, lower case, and Cyrillic or Greek look-alikes read as Latin."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    decomposed = unicodedata.normalize("NFD", text.casefold())
    text = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return unicodedata.normalize("NFC", text).translate(_LOOK_ALIKE_LETTERS)


def _letter_pattern(letter: str) -> str:
    stand_ins = _STAND_INS.get(letter, "")
    return f"[{re.escape(letter + stand_ins)}]" if stand_ins else re.escape(letter)


def _term_pattern(term: str) -> re.Pattern[str]:
    # Whole words only: "emas" must not catch "kemasan", nor "bir" catch "birthday". Words of a
    # phrase may be separated by any run of spaces or line breaks. Stand-in digits count as
    # word characters, so "r0k0k" is one word and still matches "rokok".
    words = [
        "".join(_letter_pattern(letter) for letter in word)
        for word in fold_for_matching(term).split()
    ]
    return re.compile(r"(?<![\w!|@$])" + r"\s+".join(words) + r"(?![\w!|@$])")


def prohibited_match(
    *, name: str, description: str, terms: Iterable[tuple[str, str]]
) -> ProhibitedMatch | None:
    """The first (term, reason) whose term appears as whole words in the name or description,
    after folding away the tricks that hide a word from a filter but not from a reader."""
    text = fold_for_matching(f"{name}\n{description}")
    for term, reason in terms:
        if term.strip() and _term_pattern(term).search(text):
            return ProhibitedMatch(term=term, reason=reason)
    return None


@dataclass(frozen=True)
class Review:
    state: str
    reason: str


def review_for_new(match: ProhibitedMatch | None) -> Review:
    return Review(ON_HOLD, match.hold_reason) if match else Review(APPROVED, "")


def review_after_edit(
    *, current: Review, text_changed: bool, match: ProhibitedMatch | None
) -> Review:
    """The review state after the owner edits a product.

    An officer's decision covers the exact name and description they saw: edits that leave both
    alone (price, stock, photos, switching it off and on) never reopen it. Once the text changes:
    a match holds the product again, even one an officer had approved, or the owner could get a
    harmless text approved and then swap in another. Only an officer lifts a hold or a rejection;
    an owner's edit may put a product on hold but never takes it off (else an owner could edit a
    rejected product twice to have it approved without anyone looking).
    """
    if not text_changed:
        return current
    if match is not None:
        return Review(ON_HOLD, match.hold_reason)
    if current.state == APPROVED:
        return current
    return Review(ON_HOLD, REREVIEW_REASON)
