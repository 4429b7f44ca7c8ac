"""Believable, valid, deterministic people for the demo, the tests and the benchmarks.

NIP and NIK are generated to pass every check of peken.accounts.rules: real birth dates,
appointment at 19 to 35 years of age, Surabaya's NIK region prefix (35 78 + kecamatan).
"""

import csv
import datetime as dt
import io
import random

from peken.accounts.rules import GOLONGAN

FIRST_NAMES = [
    "Agus",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gilang",
    "Hendra",
    "Indah",
    "Joko",
    "Kartika",
    "Lestari",
    "Made",
    "Nur",
    "Oki",
    "Putri",
    "Rahmat",
    "Sri",
    "Teguh",
    "Umi",
    "Wahyu",
    "Yuni",
    "Zainal",
    "Bambang",
    "Siti",
    "Ahmad",
    "Ratna",
    "Dimas",
    "Ayu",
    "Rizky",
    "Fajar",
    "Nanda",
    "Ika",
    "Slamet",
    "Sugeng",
    "Endang",
    "Wulan",
    "Bayu",
    "Andi",
    "Mega",
]
LAST_NAMES = [
    "Santoso",
    "Wijaya",
    "Rahayu",
    "Hidayat",
    "Pratama",
    "Kusuma",
    "Setiawan",
    "Lestari",
    "Nugroho",
    "Purnomo",
    "Wibowo",
    "Suryani",
    "Hartono",
    "Saputra",
    "Susanti",
    "Firmansyah",
    "Maulana",
    "Handayani",
    "Utomo",
    "Prasetyo",
    "Kurniawan",
    "Ramadhan",
    "Anggraini",
    "Permana",
    "Syahputra",
    "Wahyuni",
    "Gunawan",
    "Hakim",
    "Fauzi",
    "Rachman",
]
JABATAN = (
    ("Kepala Dinas", "II.b"),
    ("Sekretaris", "III.a"),
    ("Kepala Bidang", "III.b"),
    ("Kepala Seksi", "IV.a"),
    ("Kepala Sub Bagian", "IV.a"),
    ("Analis Kebijakan", ""),
    ("Pranata Komputer", ""),
    ("Guru", ""),
    ("Perawat", ""),
    ("Staf Pelaksana", ""),
    ("Pengadministrasi Umum", ""),
    ("Bendahara", ""),
)
ROSTER_HEADER = (
    "NIP",
    "NIK",
    "Nama",
    "Golongan",
    "Jabatan",
    "Eselon",
    "Kode OPD",
    "Kode Kelurahan Domisili",
    "Kode Kecamatan Kerja",
    "Email",
    "Telepon",
)


class PersonFactory:
    """Unique NIP/NIK pairs from one seeded random stream."""

    def __init__(self, seed: int = 1, today: dt.date | None = None) -> None:
        self.random = random.Random(seed)
        self.today = today or dt.date(2026, 1, 1)
        self.used_nip: set[str] = set()
        self.used_nik: set[str] = set()

    def birth_date(self) -> dt.date:
        age_days = self.random.randint(22 * 365, 57 * 365)
        return self.today - dt.timedelta(days=age_days)

    def nip(self, born: dt.date, is_female: bool) -> str:
        earliest = born.year + 19
        latest = min(self.today.year - 1, born.year + 35)
        while True:
            year = self.random.randint(earliest, max(earliest, latest))
            month = self.random.randint(1, 12)
            nip = (
                f"{born:%Y%m%d}{year:04d}{month:02d}{2 if is_female else 1}"
                f"{self.random.randint(1, 999):03d}"
            )
            if nip not in self.used_nip:
                self.used_nip.add(nip)
                return nip

    def nik(self, born: dt.date, is_female: bool, kecamatan_number: int) -> str:
        day = born.day + (40 if is_female else 0)
        while True:
            nik = (
                f"3578{kecamatan_number:02d}{day:02d}{born:%m}{born:%y}"
                f"{self.random.randint(1, 9999):04d}"
            )
            if nik not in self.used_nik:
                self.used_nik.add(nik)
                return nik

    def name(self) -> str:
        return f"{self.random.choice(FIRST_NAMES)} {self.random.choice(LAST_NAMES)}"

    def phone(self) -> str:
        return f"08{self.random.choice('1235789')}{self.random.randint(10**8, 10**9 - 1)}"


def roster_rows(
    count: int,
    *,
    opd_codes: list[str],
    kelurahan_codes: list[str],
    kecamatan_codes: list[str],
    seed: int = 1,
    outside_city_share: float = 0.05,
) -> list[dict[str, str]]:
    """`count` ASN spread over every OPD and every golongan, as a roster file would list them."""
    factory = PersonFactory(seed)
    rows = []
    for index in range(count):
        is_female = factory.random.random() < 0.5
        born = factory.birth_date()
        kelurahan = factory.random.choice(kelurahan_codes)
        lives_outside = factory.random.random() < outside_city_share
        jabatan, eselon = factory.random.choice(JABATAN)
        rows.append(
            {
                "NIP": factory.nip(born, is_female),
                "NIK": factory.nik(born, is_female, int(kelurahan.split(".")[2])),
                "Nama": factory.name(),
                "Golongan": GOLONGAN[index % len(GOLONGAN)],
                "Jabatan": jabatan,
                "Eselon": eselon,
                "Kode OPD": opd_codes[index % len(opd_codes)],
                "Kode Kelurahan Domisili": "" if lives_outside else kelurahan,
                "Kode Kecamatan Kerja": factory.random.choice(kecamatan_codes)
                if lives_outside
                else "",
                "Email": "",
                "Telepon": factory.phone(),
            }
        )
    return rows


def roster_csv(
    rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]) if rows else ROSTER_HEADER, delimiter=delimiter
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def roster_xlsx(rows: list[dict[str, str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("ASN")
    header = list(rows[0]) if rows else list(ROSTER_HEADER)
    sheet.append(header)
    for row in rows:
        sheet.append([row[column] for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
