"""Merchant rules: the verification state machine and field checks. Pure: no Django."""

import re

from peken.core.rule_errors import Label, RuleError, gettext_noop

# (status, action) → new status. Anything else is refused.
TRANSITIONS = {
    ("draft", "submit"): "submitted",
    ("rejected", "submit"): "submitted",
    ("submitted", "verify"): "verified",
    ("submitted", "reject"): "rejected",
    ("verified", "suspend"): "suspended",
    ("suspended", "reinstate"): "verified",
}
ACTIONS_NEEDING_REASON = {"reject", "suspend"}
ACTION_LABELS = {
    "submit": gettext_noop("diajukan"),
    "verify": gettext_noop("diverifikasi"),
    "reject": gettext_noop("ditolak"),
    "suspend": gettext_noop("dibekukan"),
    "reinstate": gettext_noop("diaktifkan kembali"),
}
STATUS_LABELS = {
    "draft": gettext_noop("draf"),
    "submitted": gettext_noop("menunggu verifikasi"),
    "verified": gettext_noop("terverifikasi"),
    "rejected": gettext_noop("ditolak"),
    "suspended": gettext_noop("dibekukan"),
}
# Banks a city's bulk-transfer file can pay into (code → name); extendable per city.
BANKS = {
    "BRI": "Bank Rakyat Indonesia",
    "BNI": "Bank Negara Indonesia",
    "MANDIRI": "Bank Mandiri",
    "BCA": "Bank Central Asia",
    "BSI": "Bank Syariah Indonesia",
    "BTN": "Bank Tabungan Negara",
    "JATIM": "Bank Jatim",
    "JATIM_SYARIAH": "Bank Jatim Syariah",
    "CIMB": "CIMB Niaga",
    "DANAMON": "Bank Danamon",
    "PERMATA": "Bank Permata",
    "BPR_SURYA": "BPR Surya Artha Utama",
}
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MerchantRuleError(RuleError):
    """str(error) is the message for the person who typed the value, in their language."""


def next_status(current: str, action: str) -> str:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise MerchantRuleError(
            gettext_noop("Toko berstatus %(status)s tidak dapat %(action)s."),
            status=Label(STATUS_LABELS.get(current, current)),
            action=Label(ACTION_LABELS.get(action, action)),
        ) from None


def check_reason(action: str, reason: str) -> str:
    reason = " ".join((reason or "").split())
    if action in ACTIONS_NEEDING_REASON and len(reason) < 5:
        raise MerchantRuleError(
            gettext_noop("Tuliskan alasannya (paling sedikit 5 huruf) agar pemilik tahu.")
        )
    if len(reason) > 500:
        raise MerchantRuleError(gettext_noop("Alasan paling panjang 500 huruf."))
    return reason


def check_kind_and_line(kind: str, line: str) -> tuple[str, str]:
    if kind == "toko_kelontong":
        if line:
            raise MerchantRuleError(gettext_noop("Toko kelontong tidak memakai bidang UMKM."))
        return kind, ""
    if kind == "umkm":
        if line not in {"kuliner", "kerajinan", "fashion", "lainnya"}:
            raise MerchantRuleError(
                gettext_noop("Pilih bidang UMKM: kuliner, kerajinan, fashion atau lainnya.")
            )
        return kind, line
    raise MerchantRuleError(gettext_noop("Jenis usaha harus toko_kelontong atau umkm."))


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not 3 <= len(name) <= 120:
        raise MerchantRuleError(gettext_noop("Nama usaha harus 3 sampai 120 huruf."))
    return name


def check_address(address: str) -> str:
    address = " ".join((address or "").split())
    if not 5 <= len(address) <= 300:
        raise MerchantRuleError(gettext_noop("Alamat toko wajib diisi (5 sampai 300 huruf)."))
    return address


def check_nib(nib: str) -> str:
    """NIB (Nomor Induk Berusaha) from OSS: 13 digits, optional."""
    nib = (nib or "").strip()
    if nib and not re.fullmatch(r"\d{13}", nib):
        raise MerchantRuleError(gettext_noop("NIB harus 13 angka (atau kosongkan)."))
    return nib


def check_bank_account(
    bank_code: str, account_number: str, holder_name: str
) -> tuple[str, str, str]:
    bank_code = (bank_code or "").strip().upper()
    if bank_code not in BANKS:
        raise MerchantRuleError(
            gettext_noop("Bank '%(bank)s' tidak dikenal (%(banks)s)."),
            bank=bank_code,
            banks=", ".join(BANKS),
        )
    number = re.sub(r"[\s.\-]", "", account_number or "")
    if not re.fullmatch(r"\d{6,20}", number):
        raise MerchantRuleError(gettext_noop("Nomor rekening harus 6 sampai 20 angka."))
    holder = " ".join((holder_name or "").split())
    if not 3 <= len(holder) <= 120:
        raise MerchantRuleError(gettext_noop("Nama pemilik rekening wajib diisi."))
    return bank_code, number, holder


def check_opening_hours(hours: dict) -> dict[str, list[str]]:
    """`{"senin": ["07:00", "21:00"], …}`; a day left out is a day closed."""
    if not isinstance(hours, dict):
        raise MerchantRuleError(gettext_noop("Jam buka harus berupa daftar hari dan jam."))
    cleaned = {}
    for day, span in hours.items():
        if day not in DAYS:
            raise MerchantRuleError(
                gettext_noop("Hari '%(day)s' tidak dikenal (%(days)s)."),
                day=day,
                days=", ".join(DAYS),
            )
        if (
            not isinstance(span, list | tuple)
            or len(span) != 2
            or not all(isinstance(t, str) and TIME.match(t) for t in span)
        ):
            raise MerchantRuleError(
                gettext_noop('Jam buka hari %(day)s harus seperti ["07:00", "21:00"].'), day=day
            )
        if span[0] >= span[1]:
            raise MerchantRuleError(
                gettext_noop("Jam tutup hari %(day)s harus setelah jam buka."), day=day
            )
        cleaned[day] = [span[0], span[1]]
    return {day: cleaned[day] for day in DAYS if day in cleaned}
