"""The ASN roster import, as a personnel office (BKD/BKPSDM) hands it over.

Validation first, in one pass over every row, reporting every bad one; only a clean file is
written, in one transaction, with bulk statements so 16,000 rows take seconds, not minutes.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peken.accounts import rules
from peken.accounts.models import OPD, AsnProfile, Role, RoleGrant, User
from peken.core.audit import audit_entry, audit_import
from peken.core.cache import ACCOUNTS, OBLIGATION_RULES, generation_bump
from peken.core.masking import mask_nik
from peken.core.models import AuditEntry
from peken.core.tabular import (
    FileRejected,
    ImportProblem,
    ImportRejected,
    read_table,
    require_columns,
)
from peken.regions.models import Kecamatan, Kelurahan

REQUIRED_COLUMNS = ("nip", "nik", "nama", "golongan", "kode_opd")
COLUMN_ALIASES = {
    "nama_lengkap": "nama",
    "nama_pegawai": "nama",
    "gol": "golongan",
    "pangkat_golongan": "golongan",
    "gol_ruang": "golongan",
    "opd": "kode_opd",
    "unit_kerja": "kode_opd",
    "kelurahan_domisili": "kode_kelurahan_domisili",
    "kode_kelurahan": "kode_kelurahan_domisili",
    "kecamatan_kerja": "kode_kecamatan_kerja",
    "kode_kecamatan_tempat_kerja": "kode_kecamatan_kerja",
    "no_hp": "telepon",
    "nomor_hp": "telepon",
    "hp": "telepon",
    "surel": "email",
    "e_mail": "email",
}
USER_FIELDS = ("full_name", "nik", "email", "phone")
PROFILE_FIELDS = (
    "golongan",
    "jabatan",
    "eselon",
    "opd_id",
    "domicile_kelurahan_id",
    "workplace_kecamatan_id",
    "is_active",
)
BATCH = 1000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RosterRow:
    line: int
    nip: str
    nik: str
    full_name: str
    golongan: str
    jabatan: str
    eselon: str
    opd_id: int
    domicile_kelurahan_id: int | None
    workplace_kecamatan_id: int | None
    email: str
    phone: str


@dataclass(frozen=True)
class RosterImportResult:
    total: int
    created: int
    updated: int
    unchanged: int
    deactivated: int


@dataclass
class _Lookups:
    opd: dict[str, int]
    kelurahan: dict[str, int]
    kecamatan: dict[str, int]
    today: dt.date

    @classmethod
    def load(cls) -> "_Lookups":
        return cls(
            opd=dict(OPD.objects.filter(is_active=True).values_list("code", "id")),
            kelurahan=dict(Kelurahan.objects.values_list("code", "id")),
            kecamatan=dict(Kecamatan.objects.values_list("code", "id")),
            today=timezone.localdate(),
        )


def roster_import(
    *,
    data: bytes,
    actor: User | str | None,
    deactivate_missing: bool = False,
    on_progress: Progress | None = None,
) -> RosterImportResult:
    """Upserts ASN by NIP. Any bad row → ImportRejected listing all of them; nothing written."""
    table = read_table(data, max_bytes=settings.PEKEN_ROSTER_MAX_BYTES)
    require_columns(table, REQUIRED_COLUMNS, COLUMN_ALIASES)
    if not {"kode_kelurahan_domisili", "kode_kecamatan_kerja"} & set(table.columns):
        raise FileRejected(
            _(
                "Kolom wajib tidak ada: kode_kelurahan_domisili (atau kode_kecamatan_kerja "
                "untuk ASN yang tinggal di luar kota)."
            ),
            missing_columns=["kode_kelurahan_domisili"],
        )
    total = len(table.rows)
    progress = on_progress or (lambda done, total: None)
    lookups = _Lookups.load()
    problems = list(table.problems)
    parsed: list[RosterRow] = []
    for index, (line, row) in enumerate(table.rows, start=1):
        roster_row, row_problems = parse_roster_row(line, row, lookups)
        problems.extend(row_problems)
        if roster_row is not None:
            parsed.append(roster_row)
        if index % BATCH == 0:
            progress(index, total * 2)
    problems.extend(duplicate_problems(parsed))
    existing = {
        profile.nip: profile
        for profile in AsnProfile.objects.select_related("user").filter(
            nip__in=[row.nip for row in parsed]
        )
    }
    problems.extend(_identity_conflicts(parsed, existing))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda problem: (problem.line, problem.column)))
    progress(total, total * 2)
    with transaction.atomic():
        result = _write(parsed, existing, actor, deactivate_missing, progress, total)
        # Written in bulk, so no save signal says so: golongan, eselon or domicile may have
        # changed what each ASN owes, and their cached obligation figures go; so do the cached
        # accounts (roles and homes).
        generation_bump(OBLIGATION_RULES)
        generation_bump(ACCOUNTS)
    progress(total * 2, total * 2)
    return result


def parse_roster_row(
    line: int, row: dict[str, str], lookups: _Lookups
) -> tuple[RosterRow | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []

    def check(column: str, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except rules.IdentityError as error:
            problems.append(ImportProblem(line, column, str(error)))
            return ""

    nip = check("nip", rules.check_nip, row["nip"], today=lookups.today)
    nik = check("nik", rules.check_nik, row["nik"], today=lookups.today)
    golongan = check("golongan", rules.normalize_golongan, row["golongan"])
    eselon = check("eselon", rules.normalize_eselon, row.get("eselon", ""))
    phone = check("telepon", rules.normalize_phone, row["telepon"]) if row.get("telepon") else ""
    full_name = " ".join(row["nama"].split())
    if not full_name:
        problems.append(ImportProblem(line, "nama", _("Nama wajib diisi.")))
    elif len(full_name) > 150:
        problems.append(ImportProblem(line, "nama", _("Nama lebih dari 150 huruf.")))
    email = row.get("email", "")
    if email and ("@" not in email or " " in email or len(email) > 254):
        problems.append(
            ImportProblem(
                line, "email", _("Alamat email '%(email)s' tidak valid.") % {"email": email}
            )
        )
    opd_id = lookups.opd.get(row["kode_opd"])
    if opd_id is None:
        problems.append(
            ImportProblem(
                line,
                "kode_opd",
                _("Kode OPD '%(code)s' tidak dikenal.") % {"code": row["kode_opd"]},
            )
        )
    kelurahan_id, kecamatan_id = _home_area(line, row, lookups, problems)
    if problems:
        return None, problems
    return (
        RosterRow(
            line=line,
            nip=nip,
            nik=nik,
            full_name=full_name,
            golongan=golongan,
            jabatan=row.get("jabatan", "")[:200],
            eselon=eselon,
            opd_id=opd_id,
            domicile_kelurahan_id=kelurahan_id,
            workplace_kecamatan_id=kecamatan_id,
            email=email,
            phone=phone,
        ),
        [],
    )


def _home_area(line, row, lookups, problems) -> tuple[int | None, int | None]:
    kelurahan_code = row.get("kode_kelurahan_domisili", "")
    kecamatan_code = row.get("kode_kecamatan_kerja", "")
    kelurahan_id = lookups.kelurahan.get(kelurahan_code) if kelurahan_code else None
    kecamatan_id = lookups.kecamatan.get(kecamatan_code) if kecamatan_code else None
    if kelurahan_code and kelurahan_id is None:
        problems.append(
            ImportProblem(
                line,
                "kode_kelurahan_domisili",
                _("Kode kelurahan '%(code)s' tidak dikenal.") % {"code": kelurahan_code},
            )
        )
    if kecamatan_code and kecamatan_id is None:
        problems.append(
            ImportProblem(
                line,
                "kode_kecamatan_kerja",
                _("Kode kecamatan '%(code)s' tidak dikenal.") % {"code": kecamatan_code},
            )
        )
    if not kelurahan_code and not kecamatan_code:
        problems.append(
            ImportProblem(
                line,
                "kode_kelurahan_domisili",
                _(
                    "Isi kelurahan domisili, atau kecamatan tempat kerja bagi ASN yang tinggal "
                    "di luar kota."
                ),
            )
        )
    # A domicile in the city wins: the workplace only stands in for those who live outside.
    return kelurahan_id, (None if kelurahan_id else kecamatan_id)


def duplicate_problems(rows: list[RosterRow]) -> list[ImportProblem]:
    problems = []
    for column, key in (("nip", "nip"), ("nik", "nik")):
        first_line: dict[str, int] = {}
        for row in rows:
            value = getattr(row, key)
            first = first_line.setdefault(value, row.line)
            if first != row.line:
                label = mask_nik(value) if key == "nik" else value
                problems.append(
                    ImportProblem(
                        row.line,
                        column,
                        _("%(column)s %(value)s sudah ada di baris %(line)s.")
                        % {"column": column.upper(), "value": label, "line": first},
                    )
                )
    return problems


def _identity_conflicts(
    rows: list[RosterRow], existing: dict[str, AsnProfile]
) -> list[ImportProblem]:
    """A NIK or username already held by another person than the row's ASN."""
    owners_by_nik = dict(
        User.objects.filter(nik__in=[row.nik for row in rows]).values_list("nik", "id")
    )
    taken_usernames = set(
        User.objects.filter(
            username__in=[row.nip for row in rows if row.nip not in existing]
        ).values_list("username", flat=True)
    )
    owners_with_asn = set(
        AsnProfile.objects.filter(user_id__in=owners_by_nik.values()).values_list(
            "user_id", flat=True
        )
    )
    problems = []
    for row in rows:
        profile = existing.get(row.nip)
        owner_id = owners_by_nik.get(row.nik)
        if owner_id is None or (profile is not None and profile.user_id == owner_id):
            pass
        elif profile is not None:
            problems.append(
                ImportProblem(
                    row.line,
                    "nik",
                    _("NIK %(nik)s sudah dipakai akun lain.") % {"nik": mask_nik(row.nik)},
                )
            )
        elif owner_id in owners_with_asn:
            problems.append(
                ImportProblem(
                    row.line,
                    "nik",
                    _("NIK %(nik)s sudah terdaftar untuk ASN lain.") % {"nik": mask_nik(row.nik)},
                )
            )
        if profile is None and owner_id is None and row.nip in taken_usernames:
            problems.append(
                ImportProblem(
                    row.line,
                    "nip",
                    _("Nama pengguna %(username)s sudah dipakai akun lain.")
                    % {"username": row.nip},
                )
            )
    return problems


def _write(rows, existing, actor, deactivate_missing, progress, total) -> RosterImportResult:
    new_rows = [row for row in rows if row.nip not in existing]
    changed_users, changed_profiles, audits = [], [], []
    for row in rows:
        profile = existing.get(row.nip)
        if profile is None:
            continue
        before, after = _apply(row, profile)
        if after:
            changed_users.append(profile.user)
            changed_profiles.append(profile)
            audits.append(_audit_entry(actor, "asn.update", profile, before, after))
    User.objects.bulk_update(changed_users, USER_FIELDS, batch_size=BATCH)
    AsnProfile.objects.bulk_update(
        changed_profiles, [field.removesuffix("_id") for field in PROFILE_FIELDS], batch_size=BATCH
    )
    progress(total + len(existing), total * 2)
    _create(new_rows)
    deactivated = _deactivate_missing(rows, actor, audits) if deactivate_missing else 0
    AuditEntry.objects.bulk_create(audits, batch_size=BATCH)
    result = RosterImportResult(
        total=len(rows),
        created=len(new_rows),
        updated=len(changed_profiles),
        unchanged=len(existing) - len(changed_profiles),
        deactivated=deactivated,
    )
    audit_import(
        actor=actor,
        action="asn.roster_import",
        target_type="accounts.AsnProfile",
        summary=f"{len(rows)} ASN",
        result=result,
    )
    return result


def _apply(row: RosterRow, profile: AsnProfile) -> tuple[dict, dict]:
    """Copies the row onto the profile and its user; returns the changed fields before/after."""
    wanted_user = {
        "full_name": row.full_name,
        "nik": row.nik,
        "email": row.email,
        "phone": row.phone,
    }
    # Being in the roster makes an ASN active again.
    wanted_profile = {
        field: getattr(row, field) for field in PROFILE_FIELDS if field != "is_active"
    }
    wanted_profile["is_active"] = True
    before, after = {}, {}
    for target, wanted in ((profile.user, wanted_user), (profile, wanted_profile)):
        for field, value in wanted.items():
            if field == "email" and not value:
                continue  # an empty e-mail column does not erase an address the person gave
            current = getattr(target, field)
            if current != value:
                masked = mask_nik if field == "nik" else (lambda text: text)
                before[field], after[field] = masked(current), masked(value)
                setattr(target, field, value)
    return before, after


def _create(rows: list[RosterRow]) -> None:
    owners = dict(User.objects.filter(nik__in=[row.nik for row in rows]).values_list("nik", "id"))
    # Accounts start without a password: ASN activate them later. Hashing 16,000 passwords with
    # Argon2 would take minutes; an unusable marker takes nothing.
    unusable = make_password(None)
    new_users = [
        User(
            username=row.nip,
            full_name=row.full_name,
            nik=row.nik,
            email=row.email,
            phone=row.phone,
            password=unusable,
        )
        for row in rows
        if row.nik not in owners
    ]
    # bulk_create fills in primary keys on PostgreSQL and on SQLite 3.35+ (RETURNING).
    User.objects.bulk_create(new_users, batch_size=BATCH)
    user_ids = {**owners, **{user.nik: user.pk for user in new_users}}
    AsnProfile.objects.bulk_create(
        [
            AsnProfile(
                user_id=user_ids[row.nik],
                nip=row.nip,
                golongan=row.golongan,
                jabatan=row.jabatan,
                eselon=row.eselon,
                opd_id=row.opd_id,
                domicile_kelurahan_id=row.domicile_kelurahan_id,
                workplace_kecamatan_id=row.workplace_kecamatan_id,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    RoleGrant.objects.bulk_create(
        [RoleGrant(user_id=user_ids[row.nik], role=Role.ASN) for row in rows],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _deactivate_missing(rows, actor, audits) -> int:
    in_file = {row.nip for row in rows}
    missing = [
        (pk, nip)
        for pk, nip in AsnProfile.objects.filter(is_active=True).values_list("id", "nip")
        if nip not in in_file
    ]
    ids = [pk for pk, _ in missing]
    for start in range(0, len(ids), BATCH):
        AsnProfile.objects.filter(id__in=ids[start : start + BATCH]).update(is_active=False)
    for pk, nip in missing:
        audits.append(
            audit_entry(
                actor=actor,
                action="asn.deactivate",
                target_type="accounts.AsnProfile",
                target_id=str(pk),
                target_repr=nip,
                before={"is_active": True},
                after={"is_active": False},
            )
        )
    return len(missing)


def _audit_entry(actor, action, profile: AsnProfile, before, after) -> AuditEntry:
    return audit_entry(
        actor=actor,
        action=action,
        target_type="accounts.AsnProfile",
        target_id=str(profile.pk),
        target_repr=profile.nip,
        before=before,
        after=after,
    )
