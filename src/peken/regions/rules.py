"""Validating a region list in the column layout of surabaya_regions.csv. Pure: no Django."""

import re
from dataclasses import dataclass

from peken.core.tabular import ImportProblem

REGION_COLUMNS = (
    "kecamatan_code",
    "kecamatan_name",
    "kelurahan_code",
    "kelurahan_name",
    "postal_code",
    "lat",
    "lon",
)
KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
KELURAHAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
POSTAL_CODE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class RegionRow:
    kecamatan_code: str
    kecamatan_name: str
    kelurahan_code: str
    kelurahan_name: str
    postal_code: str
    lat: float
    lon: float


def parse_region_row(
    line: int, row: dict[str, str]
) -> tuple[RegionRow | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(ImportProblem(line, column, message))

    kecamatan_code = row["kecamatan_code"]
    kelurahan_code = row["kelurahan_code"]
    if not KECAMATAN_CODE.match(kecamatan_code):
        problem("kecamatan_code", f"Kode kecamatan '{kecamatan_code}' harus berbentuk NN.NN.NN.")
    if not KELURAHAN_CODE.match(kelurahan_code):
        problem(
            "kelurahan_code", f"Kode kelurahan '{kelurahan_code}' harus berbentuk NN.NN.NN.NNNN."
        )
    elif not kelurahan_code.startswith(kecamatan_code + "."):
        problem(
            "kelurahan_code",
            f"Kode kelurahan '{kelurahan_code}' tidak berada di kecamatan '{kecamatan_code}'.",
        )
    for column in ("kecamatan_name", "kelurahan_name"):
        if not row[column]:
            problem(column, "Nama wajib diisi.")
    if not POSTAL_CODE.match(row["postal_code"]):
        problem("postal_code", f"Kode pos '{row['postal_code']}' harus 5 angka.")
    lat = _coordinate(row["lat"], -90, 90, "lat", "Lintang", problem)
    lon = _coordinate(row["lon"], -180, 180, "lon", "Bujur", problem)
    if problems:
        return None, problems
    return (
        RegionRow(
            kecamatan_code,
            row["kecamatan_name"],
            kelurahan_code,
            row["kelurahan_name"],
            row["postal_code"],
            lat,
            lon,
        ),
        [],
    )


def _coordinate(text: str, low: float, high: float, column: str, label: str, problem) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        problem(column, f"{label} '{text}' bukan angka.")
        return 0.0
    if not low <= value <= high:
        problem(column, f"{label} {value} di luar rentang {low}..{high}.")
    return value


def check_region_rows(rows: list[tuple[int, RegionRow]]) -> list[ImportProblem]:
    """Problems between rows: a kelurahan code twice, one kecamatan code under two names."""
    problems: list[ImportProblem] = []
    seen_kelurahan: dict[str, int] = {}
    kecamatan_names: dict[str, str] = {}
    for line, region in rows:
        first = seen_kelurahan.setdefault(region.kelurahan_code, line)
        if first != line:
            problems.append(
                ImportProblem(
                    line,
                    "kelurahan_code",
                    f"Kode kelurahan '{region.kelurahan_code}' sudah ada di baris {first}.",
                )
            )
        name = kecamatan_names.setdefault(region.kecamatan_code, region.kecamatan_name)
        if name != region.kecamatan_name:
            problems.append(
                ImportProblem(
                    line,
                    "kecamatan_name",
                    f"Kecamatan '{region.kecamatan_code}' bernama '{name}' di baris lain, "
                    f"bukan '{region.kecamatan_name}'.",
                )
            )
    return problems


def kecamatan_centroids(rows: list[RegionRow]) -> dict[str, tuple[float, float]]:
    """A kecamatan's centroid as the mean of its kelurahan centroids."""
    sums: dict[str, list[float]] = {}
    for region in rows:
        total = sums.setdefault(region.kecamatan_code, [0.0, 0.0, 0])
        total[0] += region.lat
        total[1] += region.lon
        total[2] += 1
    return {code: (lat / count, lon / count) for code, (lat, lon, count) in sums.items()}
