from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from peken.core.audit import audit_import
from peken.core.tabular import ImportRejected, read_table, require_columns
from peken.regions.models import Kecamatan, Kelurahan
from peken.regions.rules import (
    REGION_COLUMNS,
    RegionRow,
    check_region_rows,
    kecamatan_centroids,
    parse_region_row,
)

BUNDLED_REGIONS = Path(__file__).parent / "data" / "surabaya_regions.csv"
MAX_REGION_FILE_BYTES = 20 * 1024 * 1024
COLUMN_ALIASES = {
    "kode_kecamatan": "kecamatan_code",
    "nama_kecamatan": "kecamatan_name",
    "kode_kelurahan": "kelurahan_code",
    "nama_kelurahan": "kelurahan_name",
    "kode_pos": "postal_code",
    "latitude": "lat",
    "longitude": "lon",
}


@dataclass(frozen=True)
class RegionImportResult:
    kecamatan_created: int
    kecamatan_updated: int
    kelurahan_created: int
    kelurahan_updated: int


def regions_import(*, data: bytes, actor=None) -> RegionImportResult:
    """Upserts kecamatan and kelurahan by code; any bad line → ImportRejected, nothing written."""
    table = read_table(data, max_bytes=MAX_REGION_FILE_BYTES)
    require_columns(table, REGION_COLUMNS, COLUMN_ALIASES)
    problems = list(table.problems)
    parsed: list[tuple[int, RegionRow]] = []
    for line, row in table.rows:
        region, row_problems = parse_region_row(line, row)
        problems.extend(row_problems)
        if region is not None:
            parsed.append((line, region))
    problems.extend(check_region_rows(parsed))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: problem.line))
    with transaction.atomic():
        result = _upsert([region for _, region in parsed])
        audit_import(
            actor=actor,
            action="regions.import",
            target_type="regions.Kelurahan",
            summary=f"{len(parsed)} kelurahan",
            result=result,
        )
    return result


def regions_import_bundled(*, actor=None) -> RegionImportResult:
    return regions_import(data=BUNDLED_REGIONS.read_bytes(), actor=actor)


def _upsert(regions: list[RegionRow]) -> RegionImportResult:
    centroids = kecamatan_centroids(regions)
    names = {region.kecamatan_code: region.kecamatan_name for region in regions}
    existing_kecamatan = {k.code: k for k in Kecamatan.objects.filter(code__in=names)}
    kecamatan_created = kecamatan_updated = 0
    for code, name in names.items():
        lat, lon = centroids[code]
        kecamatan = existing_kecamatan.get(code)
        if kecamatan is None:
            existing_kecamatan[code] = Kecamatan.objects.create(
                code=code, name=name, lat=lat, lon=lon
            )
            kecamatan_created += 1
        elif (kecamatan.name, kecamatan.lat, kecamatan.lon) != (name, lat, lon):
            kecamatan.name, kecamatan.lat, kecamatan.lon = name, lat, lon
            kecamatan.save(update_fields=["name", "lat", "lon"])
            kecamatan_updated += 1

    codes = [region.kelurahan_code for region in regions]
    existing = {k.code: k for k in Kelurahan.objects.filter(code__in=codes)}
    new, changed = [], []
    for region in regions:
        values = {
            "name": region.kelurahan_name,
            "kecamatan_id": existing_kecamatan[region.kecamatan_code].pk,
            "postal_code": region.postal_code,
            "lat": region.lat,
            "lon": region.lon,
        }
        kelurahan = existing.get(region.kelurahan_code)
        if kelurahan is None:
            new.append(Kelurahan(code=region.kelurahan_code, **values))
        elif any(getattr(kelurahan, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(kelurahan, key, value)
            changed.append(kelurahan)
    Kelurahan.objects.bulk_create(new)
    Kelurahan.objects.bulk_update(changed, ["name", "kecamatan", "postal_code", "lat", "lon"])
    return RegionImportResult(kecamatan_created, kecamatan_updated, len(new), len(changed))
