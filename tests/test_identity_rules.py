"""NIK, NIP, golongan, eselon and phone rules: pure functions, no database."""

import datetime as dt

import pytest

from peken.accounts import rules

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    "nik",
    [
        "3578011203900001",  # man born 12 Mar 1990, Surabaya
        "3578015203900002",  # woman: day + 40
        "3578010101050001",  # born 2005
    ],
)
def test_valid_nik_passes(nik):
    assert rules.check_nik(nik, today=TODAY) == nik


@pytest.mark.parametrize(
    "nik, fragment",
    [
        ("357801120390001", "16 angka"),  # 15 digits
        ("35780112039000011", "16 angka"),  # 17 digits
        ("3578O11203900001", "16 angka"),  # letter O
        ("", "16 angka"),
        ("0078011203900001", "provinsi"),
        ("3500011203900001", "kabupaten"),
        ("3578001203900001", "kecamatan"),
        ("3578013202900001", "tanggal lahir"),  # 32 Feb
        ("3578013002900001", "tanggal lahir"),  # 30 Feb
        ("3578011213900001", "tanggal lahir"),  # month 13
        ("3578017203900001", "tanggal lahir"),  # day 72 (woman's 32)
        ("3578011203900000", "nomor urut"),
    ],
)
def test_invalid_nik_is_refused_with_a_reason(nik, fragment):
    with pytest.raises(rules.IdentityError) as caught:
        rules.check_nik(nik, today=TODAY)
    assert fragment in str(caught.value)


def test_nik_birth_date_reads_women_and_centuries():
    assert rules.nik_birth_date("3578015203900002", today=TODAY) == dt.date(1990, 3, 12)
    assert rules.nik_birth_date("3578010101050001", today=TODAY) == dt.date(2005, 1, 1)
    assert rules.nik_birth_date("3578010101270001", today=TODAY) == dt.date(1927, 1, 1)


def test_valid_nip_passes():
    assert rules.check_nip("199003122015031001", today=TODAY) == "199003122015031001"


@pytest.mark.parametrize(
    "nip, fragment",
    [
        ("19900312201503100", "18 angka"),
        ("1990031220150310011", "18 angka"),
        ("19900312201503100A", "18 angka"),
        ("199002302015031001", "tanggal lahir"),  # 30 Feb
        ("199013122015031001", "tanggal lahir"),  # month 13
        ("203003122015031001", "tanggal lahir"),  # born in the future
        ("199003122015131001", "bulan pengangkatan"),  # month 13
        ("199003122015001001", "bulan pengangkatan"),  # month 00
        ("199003122030031001", "masa depan"),
        ("199003122005031001", "18 tahun"),
        ("199003122015033001", "jenis kelamin"),
        ("199003122015031000", "nomor urut"),
    ],
)
def test_invalid_nip_is_refused_with_a_reason(nip, fragment):
    with pytest.raises(rules.IdentityError) as caught:
        rules.check_nip(nip, today=TODAY)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [("III/a", "III/a"), ("iii a", "III/a"), ("3A", "III/a"), ("IV-e", "IV/e"), ("1/d", "I/d")],
)
def test_golongan_is_normalized(text, expected):
    assert rules.normalize_golongan(text) == expected


@pytest.mark.parametrize("text", ["V/a", "III/e", "IV/f", "", "golongan tiga"])
def test_unknown_golongan_is_refused(text):
    with pytest.raises(rules.IdentityError):
        rules.normalize_golongan(text)


@pytest.mark.parametrize(
    "text, expected",
    [("II.a", "II.a"), ("2a", "II.a"), ("iv/B", "IV.b"), ("", ""), ("-", ""), ("Non Eselon", "")],
)
def test_eselon_is_normalized(text, expected):
    assert rules.normalize_eselon(text) == expected


@pytest.mark.parametrize("text", ["V.b", "VI.a", "II.c", "kepala"])
def test_unknown_eselon_is_refused(text):
    with pytest.raises(rules.IdentityError):
        rules.normalize_eselon(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("081234567890", "081234567890"),
        ("+62 812-3456-7890", "081234567890"),
        ("62812345678", "0812345678"),
    ],
)
def test_phone_is_normalized(text, expected):
    assert rules.normalize_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "0212345678", "08abc", ""])
def test_bad_phone_is_refused(text):
    with pytest.raises(rules.IdentityError):
        rules.normalize_phone(text)


def test_lock_state_locks_at_the_limit_and_forgets_an_old_window():
    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    start = now - dt.timedelta(minutes=1)
    failures, started, locked = rules.lock_state(
        failures=8, window_started_at=start, now=now, max_failures=10, lock_minutes=15
    )
    assert (failures, started, locked) == (9, start, None)
    failures, _, locked = rules.lock_state(
        failures=9, window_started_at=start, now=now, max_failures=10, lock_minutes=15
    )
    assert failures == 10 and locked == now + dt.timedelta(minutes=15)
    old = now - dt.timedelta(minutes=16)
    failures, started, locked = rules.lock_state(
        failures=9, window_started_at=old, now=now, max_failures=10, lock_minutes=15
    )
    assert (failures, started, locked) == (1, now, None)


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.5", "1.1.1.1", [], "203.0.113.5"),  # no proxy trusted: header ignored
        ("203.0.113.5", "1.1.1.1", ["10.0.0.1"], "203.0.113.5"),  # not from the proxy
        ("10.0.0.1", "1.1.1.1", ["10.0.0.1"], "1.1.1.1"),
        ("10.0.0.1", "6.6.6.6, 1.1.1.1", ["10.0.0.1"], "1.1.1.1"),  # forged left entry
        ("10.0.0.1", "6.6.6.6, 1.1.1.1, 10.1.2.3", ["10.0.0.0/8"], "1.1.1.1"),  # two proxies
        ("10.0.0.1", "", ["10.0.0.1"], "10.0.0.1"),
        ("10.0.0.1", "bukan-alamat", ["10.0.0.1"], "10.0.0.1"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_client_address_reads_forwarded_for_right_to_left(remote, forwarded, trusted, expected):
    assert (
        rules.client_address(remote_addr=remote, forwarded_for=forwarded, trusted_proxies=trusted)
        == expected
    )
