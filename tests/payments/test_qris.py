"""QRIS payloads: the CRC, building, parsing back, refusing damaged codes, drawing the image."""

import dataclasses

import pytest

from peken.payments.qris import (
    QrisChecksumInvalid,
    QrisInvalid,
    QrisMerchant,
    crc16_ccitt_false,
    qris_build,
    qris_image,
    qris_parse,
)

MERCHANT = QrisMerchant(
    name="TOKO BU SITI",
    city="SURABAYA",
    postal_code="60115",
    acquirer_gui="ID.CO.BANKCONTOH.WWW",
    pan="9360001234567890123",
    merchant_id="MID000123",
    nmid="ID1020000000123",
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0x29B1),  # the standard check value of CRC-16/CCITT-FALSE
        (b"", 0xFFFF),  # nothing fed: the initial value comes out untouched
        (b"A", 0xB915),
    ],
)
def test_crc16_ccitt_false_known_vectors(data, expected):
    assert crc16_ccitt_false(data) == expected


def test_a_payload_ends_with_its_crc_in_four_uppercase_hex_digits():
    payload = qris_build(merchant=MERCHANT, amount=150_000, bill_number="PKN-12-ab12cd34")
    assert payload.startswith("000201010212")  # format 01, dynamic
    body, crc = payload[:-4], payload[-4:]
    assert body.endswith("6304")
    assert crc == f"{crc16_ccitt_false(body.encode()):04X}"
    assert crc == crc.upper()


def test_round_trip_keeps_every_field():
    payload = qris_build(
        merchant=MERCHANT, amount=150_000, bill_number="PKN-12-ab12cd34", reference_label="SIM-1"
    )
    fields = qris_parse(payload)
    assert fields["amount"] == 150_000
    assert fields["is_dynamic"] is True
    assert fields["currency"] == "360"
    assert fields["country"] == "ID"
    assert fields["merchant_name"] == "TOKO BU SITI"
    assert fields["merchant_city"] == "SURABAYA"
    assert fields["postal_code"] == "60115"
    assert fields["merchant_category_code"] == "5411"
    assert fields["bill_number"] == "PKN-12-ab12cd34"
    assert fields["reference_label"] == "SIM-1"
    assert fields["merchant_accounts"]["26"] == {
        "00": "ID.CO.BANKCONTOH.WWW",
        "01": "9360001234567890123",
        "02": "MID000123",
        "03": "UMI",
    }
    assert fields["merchant_accounts"]["51"]["00"] == "ID.CO.QRIS.WWW"
    assert fields["merchant_accounts"]["51"]["02"] == "ID1020000000123"


def test_a_static_code_has_no_amount():
    fields = qris_parse(qris_build(merchant=MERCHANT, amount=None))
    assert fields["point_of_initiation"] == "11"
    assert fields["is_dynamic"] is False
    assert fields["amount"] is None


def test_a_changed_amount_is_caught_by_the_crc():
    payload = qris_build(merchant=MERCHANT, amount=150_000)
    tampered = payload.replace("5406150000", "5406950000")
    assert tampered != payload
    with pytest.raises(QrisChecksumInvalid) as caught:
        qris_parse(tampered)
    assert caught.value.code == "qris_checksum_invalid"


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "000201",
        "0002016304ABCD",  # a CRC, but not the right one
        "00020101021263",  # tag 63 without its length and value
    ],
)
def test_a_broken_payload_is_rejected(payload):
    with pytest.raises(QrisInvalid):
        qris_parse(payload)


def test_a_payload_with_a_lying_length_is_rejected_even_with_a_valid_crc():
    body = "000201" + "5999TOO SHORT" + "6304"  # tag 59 claims 99 characters
    payload = body + f"{crc16_ccitt_false(body.encode()):04X}"
    with pytest.raises(QrisInvalid) as caught:
        qris_parse(payload)
    assert caught.value.code == "qris_invalid"


def test_an_issuer_writing_cents_is_read_as_whole_rupiah_and_real_cents_are_refused():
    def with_amount(text):
        body = f"00020101021252045411530336054{len(text):02d}{text}5802ID5903ABC6304"
        return body + f"{crc16_ccitt_false(body.encode()):04X}"

    assert qris_parse(with_amount("15000.00"))["amount"] == 15_000
    with pytest.raises(QrisInvalid):
        qris_parse(with_amount("15000.50"))


@pytest.mark.parametrize(
    ("change", "amount"),
    [
        ({"name": "X" * 26}, 1_000),  # merchant name: 25 characters at most
        ({"city": "KOTA SURABAYA RAYA"}, 1_000),  # city: 15 at most
        ({"name": ""}, 1_000),
        ({"name": "TOKO SÉNTOSA"}, 1_000),  # lengths count characters, the CRC counts bytes
        ({"category_code": "54"}, 1_000),
        ({"pan": "12AB"}, 1_000),
        ({"criteria": "BESAR"}, 1_000),
        ({}, 0),
        ({}, -5_000),
        ({}, 10**13),  # 14 digits do not fit tag 54
        ({}, True),
    ],
)
def test_field_limits_are_enforced_when_building(change, amount):
    merchant = dataclasses.replace(MERCHANT, **change)
    with pytest.raises(QrisInvalid):
        qris_build(merchant=merchant, amount=amount)


def test_names_at_the_limits_are_accepted():
    merchant = dataclasses.replace(MERCHANT, name="X" * 25, city="Y" * 15)
    fields = qris_parse(qris_build(merchant=merchant, amount=10**12, bill_number="B" * 25))
    assert fields["merchant_name"] == "X" * 25
    assert fields["merchant_city"] == "Y" * 15
    assert fields["amount"] == 10**12


def test_a_bill_number_longer_than_25_characters_is_refused():
    with pytest.raises(QrisInvalid):
        qris_build(merchant=MERCHANT, amount=1_000, bill_number="B" * 26)


@pytest.mark.parametrize("amount", [1, 9_999, 150_000, 30_000_000])
def test_the_drawn_code_reads_back_as_its_payload(amount):
    """Drawn with one fixed mask (cheaper): a scanner still reads every code exactly."""
    import io

    import zxingcpp
    from PIL import Image

    payload = qris_build(merchant=MERCHANT, amount=amount, bill_number=f"PKN-{amount}")
    image = Image.open(io.BytesIO(qris_image(payload, kind="png", scale=4)))
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [payload]


def test_the_image_is_svg_or_png():
    payload = qris_build(merchant=MERCHANT, amount=150_000)
    svg = qris_image(payload)
    assert svg.lstrip().startswith(b"<?xml") or b"<svg" in svg[:200]
    png = qris_image(payload, kind="png", scale=4)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError):
        qris_image(payload, kind="gif")
