"""QRIS payloads: Bank Indonesia's profile of the EMVCo merchant-presented QR code.

A payload is a string of TLV fields (two-digit tag, two-digit length, value) closed by tag 63,
a CRC-16/CCITT-FALSE over everything before it including "6304". Amounts are whole rupiah.
"""

import binascii
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import segno
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peken.core.errors import InvalidInput

# Top-level tags of the EMVCo MPM specification used by QRIS.
TAG_PAYLOAD_FORMAT = "00"
TAG_POINT_OF_INITIATION = "01"
TAG_MERCHANT_ACCOUNT_PJP = "26"  # the acquirer's (PJP) own account template
TAG_MERCHANT_ACCOUNT_NATIONAL = "51"  # the national QRIS template carrying the NMID
TAG_MCC = "52"
TAG_CURRENCY = "53"
TAG_AMOUNT = "54"
TAG_COUNTRY = "58"
TAG_MERCHANT_NAME = "59"
TAG_MERCHANT_CITY = "60"
TAG_POSTAL_CODE = "61"
TAG_ADDITIONAL_DATA = "62"
TAG_CRC = "63"

# Sub-tags of the additional data template (62).
ADDITIONAL_BILL_NUMBER = "01"
ADDITIONAL_REFERENCE_LABEL = "05"
ADDITIONAL_TERMINAL_LABEL = "07"

INITIATION_STATIC = "11"
INITIATION_DYNAMIC = "12"
CURRENCY_RUPIAH = "360"
COUNTRY_INDONESIA = "ID"
NATIONAL_GUI = "ID.CO.QRIS.WWW"

MERCHANT_ACCOUNT_TAGS = frozenset(f"{number:02d}" for number in range(26, 52))
TEMPLATE_TAGS = MERCHANT_ACCOUNT_TAGS | {TAG_ADDITIONAL_DATA}
CRITERIA = frozenset({"UMI", "UKE", "UME", "UBE", "URE"})  # micro, small, medium, large, regular


class QrisInvalid(InvalidInput):
    code = "qris_invalid"
    default_message = gettext_lazy("Kode QRIS tidak valid.")


class QrisChecksumInvalid(QrisInvalid):
    code = "qris_checksum_invalid"
    default_message = gettext_lazy("Kode QRIS rusak: checksum tidak cocok.")


@dataclass(frozen=True)
class QrisMerchant:
    """Who is paid: the acquirer account, the national merchant id and what a payer's app shows."""

    name: str
    city: str
    postal_code: str
    acquirer_gui: str  # reverse domain of the acquirer, e.g. ID.CO.BANKNAME.WWW
    pan: str  # merchant PAN: 9360 + the acquirer's national switch code + digits
    merchant_id: str  # the acquirer's own id for the merchant
    nmid: str  # national merchant id issued for QRIS, e.g. ID1020000000001
    category_code: str = "5411"  # grocery stores
    criteria: str = "UMI"


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor.

    The standard library's crc_hqx is exactly this CRC once started from 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


def qris_build(
    *,
    merchant: QrisMerchant,
    amount: int | None,
    bill_number: str = "",
    reference_label: str = "",
    terminal_label: str = "",
) -> str:
    """A QRIS payload: dynamic with the amount fixed, or static (the payer types it) when None."""
    fields = [
        _tlv(TAG_PAYLOAD_FORMAT, "01"),
        _tlv(TAG_POINT_OF_INITIATION, INITIATION_STATIC if amount is None else INITIATION_DYNAMIC),
        _tlv(TAG_MERCHANT_ACCOUNT_PJP, _pjp_account(merchant)),
        _tlv(TAG_MERCHANT_ACCOUNT_NATIONAL, _national_account(merchant)),
        _tlv(
            TAG_MCC,
            _checked_digits(merchant.category_code, 4, 4, gettext_noop("kode kategori merchant")),
        ),
        _tlv(TAG_CURRENCY, CURRENCY_RUPIAH),
    ]
    if amount is not None:
        fields.append(_tlv(TAG_AMOUNT, _amount_text(amount)))
    fields += [
        _tlv(TAG_COUNTRY, COUNTRY_INDONESIA),
        _tlv(TAG_MERCHANT_NAME, _checked_text(merchant.name, 25, gettext_noop("nama merchant"))),
        _tlv(TAG_MERCHANT_CITY, _checked_text(merchant.city, 15, gettext_noop("kota merchant"))),
    ]
    if merchant.postal_code:
        fields.append(
            _tlv(TAG_POSTAL_CODE, _checked_text(merchant.postal_code, 10, gettext_noop("kode pos")))
        )
    additional = _additional_data(bill_number, reference_label, terminal_label)
    if additional:
        fields.append(_tlv(TAG_ADDITIONAL_DATA, additional))
    body = "".join(fields) + TAG_CRC + "04"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def qris_parse(payload: str) -> dict:
    """The fields of a payload whose CRC checks out; QrisInvalid for anything else."""
    payload = payload.strip()
    _crc_check(payload)
    tags = _tlv_decode(payload[:-8])
    for required in (TAG_PAYLOAD_FORMAT, TAG_MCC, TAG_CURRENCY, TAG_COUNTRY, TAG_MERCHANT_NAME):
        if required not in tags:
            raise QrisInvalid(
                _("Kode QRIS tidak lengkap: tag %(tag)s tidak ada.") % {"tag": required},
                tag=required,
            )
    nested = {tag: _tlv_decode(tags[tag]) for tag in tags if tag in TEMPLATE_TAGS}
    additional = nested.get(TAG_ADDITIONAL_DATA, {})
    return {
        "payload_format_indicator": tags[TAG_PAYLOAD_FORMAT],
        "point_of_initiation": tags.get(TAG_POINT_OF_INITIATION, ""),
        "is_dynamic": tags.get(TAG_POINT_OF_INITIATION) == INITIATION_DYNAMIC,
        "merchant_accounts": {tag: nested[tag] for tag in nested if tag in MERCHANT_ACCOUNT_TAGS},
        "merchant_category_code": tags[TAG_MCC],
        "currency": tags[TAG_CURRENCY],
        "amount": _amount_parse(tags[TAG_AMOUNT]) if TAG_AMOUNT in tags else None,
        "country": tags[TAG_COUNTRY],
        "merchant_name": tags[TAG_MERCHANT_NAME],
        "merchant_city": tags.get(TAG_MERCHANT_CITY, ""),
        "postal_code": tags.get(TAG_POSTAL_CODE, ""),
        "additional_data": additional,
        "bill_number": additional.get(ADDITIONAL_BILL_NUMBER, ""),
        "reference_label": additional.get(ADDITIONAL_REFERENCE_LABEL, ""),
        "crc": payload[-4:],
        "tags": tags,
    }


QR_MASK = 0


def qris_image(payload: str, *, kind: str = "svg", scale: int = 8) -> bytes:
    """The payload drawn as a QR code, SVG or PNG bytes, with the quiet zone scanners need."""
    if kind not in ("svg", "png"):
        raise ValueError("kind must be 'svg' or 'png'")
    # Level M is what printed QRIS stickers use: a smudge still scans, the code stays small.
    # One fixed mask: trying all eight for the lowest penalty is three quarters of the drawing
    # (7 ms of a checkout's CPU); every mask is valid and phone scanners read each of them.
    code = segno.make(payload, error="m", micro=False, mask=QR_MASK)
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=scale, border=4)
    return buffer.getvalue()


def _pjp_account(merchant: QrisMerchant) -> str:
    if merchant.criteria not in CRITERIA:
        raise QrisInvalid(_("Kriteria merchant QRIS tidak dikenal."), field="criteria")
    return (
        _tlv("00", _checked_text(merchant.acquirer_gui, 32, gettext_noop("identitas penerbit")))
        + _tlv("01", _checked_digits(merchant.pan, 16, 19, gettext_noop("PAN merchant")))
        + _tlv("02", _checked_text(merchant.merchant_id, 15, gettext_noop("ID merchant")))
        + _tlv("03", merchant.criteria)
    )


def _national_account(merchant: QrisMerchant) -> str:
    return (
        _tlv("00", NATIONAL_GUI)
        + _tlv("02", _checked_text(merchant.nmid, 15, gettext_noop("NMID")))
        + _tlv("03", merchant.criteria)
    )


def _additional_data(bill_number: str, reference_label: str, terminal_label: str) -> str:
    parts = (
        (ADDITIONAL_BILL_NUMBER, bill_number, gettext_noop("nomor tagihan")),
        (ADDITIONAL_REFERENCE_LABEL, reference_label, gettext_noop("label referensi")),
        (ADDITIONAL_TERMINAL_LABEL, terminal_label, gettext_noop("label terminal")),
    )
    return "".join(
        _tlv(tag, _checked_text(value, 25, label)) for tag, value, label in parts if value
    )


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise QrisInvalid(_("Isi tag %(tag)s terlalu panjang untuk QRIS.") % {"tag": tag}, tag=tag)
    return f"{tag}{len(value):02d}{value}"


def _checked_text(value: str, max_length: int, label: str) -> str:
    """`label` is marked with gettext_noop where it is written, and also names the field."""
    if not value or len(value) > max_length:
        raise QrisInvalid(
            _("Panjang %(label)s harus 1 sampai %(maximum)s karakter.")
            % {"label": _(label), "maximum": max_length},
            field=label,
        )
    # Lengths count characters while the CRC counts bytes: only printable ASCII keeps them equal.
    if not all(" " <= character <= "~" for character in value):
        raise QrisInvalid(
            _("%(label)s hanya boleh berisi huruf dan angka biasa.") % {"label": capfirst(_(label))}
        )
    return value


def _checked_digits(value: str, min_length: int, max_length: int, label: str) -> str:
    if not (value.isascii() and value.isdigit() and min_length <= len(value) <= max_length):
        raise QrisInvalid(
            _("%(label)s harus %(minimum)s–%(maximum)s digit angka.")
            % {"label": capfirst(_(label)), "minimum": min_length, "maximum": max_length}
        )
    return value


def _amount_text(amount: int) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise QrisInvalid(_("Nominal QRIS harus rupiah bulat lebih dari nol."), field="amount")
    text = str(amount)
    if len(text) > 13:
        raise QrisInvalid(_("Nominal QRIS terlalu besar."), field="amount")
    return text


def _amount_parse(text: str) -> int:
    # Some issuers write "15000.00"; a fraction of a rupiah is not money we can take.
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise QrisInvalid(_("Nominal pada kode QRIS tidak terbaca.")) from error
    if not value.is_finite() or value != value.to_integral_value() or value <= 0:
        raise QrisInvalid(_("Nominal pada kode QRIS bukan rupiah bulat."))
    return int(value)


def _crc_check(payload: str) -> None:
    if len(payload) < 12 or payload[-8:-4] != TAG_CRC + "04" or not payload.isascii():
        raise QrisInvalid(_("Kode QRIS harus diakhiri checksum (tag 63)."))
    expected = f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}"
    if payload[-4:].upper() != expected:
        raise QrisChecksumInvalid()


def _tlv_decode(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        if len(header) < 4 or not header.isdigit():
            raise QrisInvalid(_("Struktur kode QRIS rusak."), position=position)
        tag, length = header[:2], int(header[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length or tag in fields:
            raise QrisInvalid(_("Struktur kode QRIS rusak."), position=position)
        fields[tag] = value
        position += 4 + length
    return fields
