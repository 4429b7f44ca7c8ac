"""Building people for tests through the same models the services use."""

import itertools

from peken.accounts.models import OPD, Role, RoleGrant, User, WargaProfile
from peken.demo.people import PersonFactory
from peken.regions.models import Kecamatan, Kelurahan

PASSWORD = "rahasia-uji-123"
_people = PersonFactory(seed=4242)
_sequence = itertools.count(1)


def kelurahan(code: str = "35.78.05.1003") -> Kelurahan:
    return Kelurahan.objects.select_related("kecamatan").get(code=code)


def kecamatan(code: str = "35.78.05") -> Kecamatan:
    return Kecamatan.objects.get(code=code)


def opd(code: str = "DINKES", name: str = "Dinas Kesehatan", kind: str = "dinas") -> OPD:
    return OPD.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]


def valid_nik(female: bool = False, kecamatan_number: int = 5) -> str:
    return _people.nik(_people.birth_date(), female, kecamatan_number)


def valid_nip(female: bool = False) -> str:
    return _people.nip(_people.birth_date(), female)


def user(username: str | None = None, *roles: str, **fields) -> User:
    username = username or f"pengguna{next(_sequence)}"
    person = User(username=username, full_name=fields.pop("full_name", username.title()), **fields)
    person.set_password(PASSWORD)
    person.save()
    for role in roles:
        RoleGrant.objects.create(user=person, role=role)
    return person


def officer(*, kelurahan_code: str | None = None, kecamatan_code: str | None = None) -> User:
    person = user(None)
    RoleGrant.objects.create(
        user=person,
        role=Role.OFFICER,
        kelurahan=kelurahan(kelurahan_code) if kelurahan_code else None,
        kecamatan=kecamatan(kecamatan_code) if kecamatan_code else None,
    )
    return person


def opd_admin(of: OPD) -> User:
    person = user(None)
    RoleGrant.objects.create(user=person, role=Role.OPD_ADMIN, opd=of)
    return person


def warga(kelurahan_code: str = "35.78.05.1003", **fields) -> WargaProfile:
    person = user(None, Role.WARGA, nik=fields.pop("nik", valid_nik()), phone="081234567890")
    return WargaProfile.objects.create(user=person, kelurahan=kelurahan(kelurahan_code), **fields)
