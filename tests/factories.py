"""Building people for tests through the same models the services use."""

import itertools

from peken.accounts.models import OPD, Role, RoleGrant, User, WargaProfile
from peken.demo.people import PersonFactory
from peken.regions.models import Kecamatan, Kelurahan

PASSWORD = "rahasia-uji-123"

# Places the tests use, from the bundled region list (peken/regions/data/surabaya_regions.csv).
TEGALSARI = "35.78.05"  # a kecamatan in the centre
KEDUNGDORO = "35.78.05.1003"  # Tegalsari
KEPUTRAN = "35.78.05.1004"  # Tegalsari
KARANG_PILANG = "35.78.01.1001"  # another kecamatan altogether, in the south-west
GENTENG = "35.78.07.1002"
PAKAL = "35.78.30.1001"  # far to the west
_people = PersonFactory(seed=4242)
_sequence = itertools.count(1)


def kelurahan(code: str = KEDUNGDORO) -> Kelurahan:
    return Kelurahan.objects.select_related("kecamatan").get(code=code)


def kecamatan(code: str = TEGALSARI) -> Kecamatan:
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


def warga(kelurahan_code: str = KEDUNGDORO, **fields) -> WargaProfile:
    person = user(None, Role.WARGA, nik=fields.pop("nik", valid_nik()), phone="081234567890")
    return WargaProfile.objects.create(user=person, kelurahan=kelurahan(kelurahan_code), **fields)


def merchant(
    kelurahan_code: str = KEDUNGDORO,
    *,
    status: str = "verified",
    kind: str = "toko_kelontong",
    owner: User | None = None,
    name: str | None = None,
    **fields,
):
    """A merchant straight in the database, in any status (services are tested on their own)."""
    from peken.merchants.models import BankAccount, Merchant

    if owner is None:
        owner = user(None, Role.MERCHANT, nik=valid_nik(), phone="081355556666")
    elif not owner.has_role(Role.MERCHANT):
        RoleGrant.objects.get_or_create(user=owner, role=Role.MERCHANT)
        owner.__dict__.pop("_grants_cache", None)
    shop = Merchant.objects.create(
        owner=owner,
        name=name or f"Toko Uji {next(_sequence)}",
        kind=kind,
        line=fields.pop("line", "kuliner" if kind == "umkm" else ""),
        phone=fields.pop("phone", "081355556666"),
        address=fields.pop("address", "Jl. Uji No. 1"),
        kelurahan=kelurahan(kelurahan_code),
        status=status,
        **fields,
    )
    BankAccount.objects.create(
        merchant=shop, bank_code="BRI", account_number="0123456789012", holder_name=owner.full_name
    )
    return shop


def category(slug: str = "sembako"):
    from peken.catalog.models import Category

    return Category.objects.get(slug=slug)


def product(shop=None, *, name: str = "Beras Premium 5 kg", price: int = 75_000, **fields):
    """A product straight in the database; search_text filled as the services fill it."""
    from peken.catalog.models import Product

    shop = shop or merchant()
    item = Product(
        merchant=shop,
        name=name,
        description=fields.pop("description", ""),
        category=fields.pop("category", None) or category(fields.pop("category_slug", "sembako")),
        price=price,
        unit=fields.pop("unit", "pcs"),
        stock=fields.pop("stock", 10),
        **fields,
    )
    item.search_text = f"{item.name} {item.description} {shop.name}"
    item.save()
    return item


def asn(kelurahan_code: str | None = KEDUNGDORO, *, golongan: str = "III/a", **fields):
    """An active ASN with a domicile kelurahan (or, with kelurahan_code=None, a workplace)."""
    from peken.accounts.models import AsnProfile

    person = user(None, Role.ASN, nik=valid_nik())
    AsnProfile.objects.create(
        user=person,
        nip=valid_nip(),
        golongan=golongan,
        eselon=fields.pop("eselon", ""),
        opd=fields.pop("opd", None) or opd(),
        domicile_kelurahan=kelurahan(kelurahan_code) if kelurahan_code else None,
        workplace_kecamatan=None if kelurahan_code else kecamatan(),
        **fields,
    )
    return person


def person_with(role: str) -> User:
    """Someone holding just this role, with the scope it needs."""
    if role == Role.OFFICER:
        return officer(kelurahan_code=KEDUNGDORO)
    if role == Role.OPD_ADMIN:
        return opd_admin(opd())
    return user(None, role)


def officer_registration(**changes) -> dict:
    """The officer's "register a shop for its owner" form, filled in for Kedungdoro."""
    return {
        "owner_full_name": "Siti Aminah",
        "owner_nik": valid_nik(female=True),
        "owner_phone": "081234500011",
        "name": "Toko Bu Siti",
        "kind": "toko_kelontong",
        "line": "",
        "phone": "081234500011",
        "address": "Jl. Kedungdoro Gg. 3 No. 7",
        "kelurahan_code": KEDUNGDORO,
        "bank_code": "BRI",
        "account_number": "0011223344",
        "holder_name": "Siti Aminah",
        **changes,
    }
