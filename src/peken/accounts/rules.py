"""Identity numbers and grades: pure checks, no Django. Messages are in Indonesian because they go
straight to the person who typed the number."""

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable

from peken.core.rule_errors import RuleError, gettext_noop

# Kode provinsi Kemendagri (Permendagri 72/2019 and the 2022 Papua provinces).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "21",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "51",
        "52",
        "53",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "72",
        "73",
        "74",
        "75",
        "76",
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
        "97",
    ]
)
GOLONGAN = [
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]
ESELON = ("I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a")
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}
MINIMUM_APPOINTMENT_AGE = 18


class IdentityError(RuleError):
    """A number that cannot belong to anyone; str(error) is the message, in the request's
    language."""


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def check_nik(nik: str, *, today: dt.date) -> str:
    """A 16-digit NIK with a real region and birth date; returns it, or raises IdentityError."""
    if not re.fullmatch(r"\d{16}", nik or ""):
        raise IdentityError(gettext_noop("NIK harus 16 angka."))
    if nik[:2] not in PROVINCE_CODES:
        raise IdentityError(gettext_noop("NIK: kode provinsi '%(code)s' tidak ada."), code=nik[:2])
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise IdentityError(gettext_noop("NIK: kode kabupaten/kota dan kecamatan tidak boleh 00."))
    if nik_birth_date(nik, today=today) is None:
        raise IdentityError(gettext_noop("NIK: tanggal lahir di dalamnya tidak mungkin."))
    if nik[12:] == "0000":
        raise IdentityError(gettext_noop("NIK: nomor urut tidak boleh 0000."))
    return nik


def nik_birth_date(nik: str, *, today: dt.date) -> dt.date | None:
    """Women's NIK carry day + 40. The two-digit year is the latest one not in the future."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    century = 2000 if 2000 + year <= today.year else 1900
    born = _date_or_none(century + year, month, day)
    if born is None or born > today:
        return None
    return born


def check_nip(nip: str, *, today: dt.date) -> str:
    """An 18-digit NIP: birth date (8), appointment month (6), sex (1), sequence (3)."""
    if not re.fullmatch(r"\d{18}", nip or ""):
        raise IdentityError(gettext_noop("NIP harus 18 angka."))
    born = _date_or_none(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if born is None or born > today or born.year < 1900:
        raise IdentityError(gettext_noop("NIP: tanggal lahir (8 angka pertama) tidak mungkin."))
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12:
        raise IdentityError(
            gettext_noop("NIP: bulan pengangkatan (angka 13-14) harus 01 sampai 12.")
        )
    if (appointed_year, appointed_month) > (today.year, today.month):
        raise IdentityError(gettext_noop("NIP: bulan pengangkatan ada di masa depan."))
    if (appointed_year, appointed_month) < (born.year + MINIMUM_APPOINTMENT_AGE, born.month):
        raise IdentityError(gettext_noop("NIP: pengangkatan sebelum berumur 18 tahun."))
    if nip[14] not in "12":
        raise IdentityError(gettext_noop("NIP: kode jenis kelamin (angka ke-15) harus 1 atau 2."))
    if nip[15:] == "000":
        raise IdentityError(gettext_noop("NIP: nomor urut tidak boleh 000."))
    return nip


def normalize_golongan(text: str) -> str:
    """`III/a`, `iii a`, `3A`, `III-A` → `III/a`."""
    golongan = _roman_grade(text, "/")
    if golongan not in GOLONGAN:
        raise IdentityError(
            gettext_noop("Golongan '%(text)s' tidak dikenal (contoh: III/a)."), text=text
        )
    return golongan


def normalize_eselon(text: str) -> str:
    """`II.a`, `2a`, `II/A` → `II.a`; empty, `-` and `non eselon` → `` (non-eselon)."""
    cleaned = (text or "").strip()
    if cleaned in {"", "-"} or re.fullmatch(r"(?i)non[\s\-]*es+elon", cleaned):
        return ""
    eselon = _roman_grade(cleaned, ".")
    if eselon not in ESELON:
        raise IdentityError(
            gettext_noop("Eselon '%(text)s' tidak dikenal (contoh: III.b, atau kosong)."), text=text
        )
    return eselon


def _roman_grade(text: str, joiner: str) -> str:
    """A roman or arabic numeral and a letter, written any common way, as `III<joiner>a`;
    empty when it is not of that shape."""
    match = re.fullmatch(r"(?i)\s*(IV|V|I{1,3}|[1-5])\s*[/\-. ]?\s*([a-e])\s*", text or "")
    if not match:
        return ""
    return f"{ROMAN.get(match[1], match[1].upper())}{joiner}{match[2].lower()}"


def normalize_phone(text: str) -> str:
    """Indonesian mobile numbers to `08…`: `+62 812-3456-7890` → `081234567890`."""
    digits = re.sub(r"[\s\-().]", "", text or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    if not re.fullmatch(r"08\d{7,12}", digits):
        raise IdentityError(
            gettext_noop("Nomor HP '%(text)s' tidak valid (contoh: 081234567890)."), text=text
        )
    return digits


def lock_state(
    *,
    failures: int,
    window_started_at: dt.datetime,
    now: dt.datetime,
    max_failures: int,
    lock_minutes: int,
) -> tuple[int, dt.datetime, dt.datetime | None]:
    """After one more failure: (failures in the window, window start, locked until or None).

    A window lasts as long as a lock; failures older than that are forgotten.
    """
    window = dt.timedelta(minutes=lock_minutes)
    if now - window_started_at > window:
        failures, window_started_at = 0, now
    failures += 1
    locked_until = now + window if failures >= max_failures else None
    return failures, window_started_at, locked_until


def client_address(*, remote_addr: str, forwarded_for: str, trusted_proxies: Iterable[str]) -> str:
    """The address of the person behind a request, as far as trusted proxies vouch for it.

    X-Forwarded-For is read right to left: each trusted proxy appends the address it saw, so the
    first entry from the right that is not a trusted proxy is the client. Entries further left
    were written by the client itself and prove nothing. Without trusted proxies the header is
    ignored, since anyone can send it.
    """
    networks = [ipaddress.ip_network(proxy.strip(), strict=False) for proxy in trusted_proxies]
    if not _is_trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop if _is_address(hop) else remote_addr
    return hops[0] if hops else remote_addr


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, networks) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)
