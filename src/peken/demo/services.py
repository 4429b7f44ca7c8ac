"""Demo data for `make run`: the real Surabaya regions, agencies, and a few hundred ASN loaded
through the same import services a city uses, one fixed login per role, and a few hundred shops
with their catalogs and the city's harga acuan (peken.demo.shops)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy

from peken.accounts import services as account_services
from peken.accounts.models import OPD, AsnProfile, Role, RoleGrant, User, WargaProfile
from peken.accounts.roster import roster_import
from peken.core.audit import audit_entry, audit_record
from peken.core.errors import DomainError
from peken.core.maintenance import planner_statistics_refresh
from peken.core.models import AuditEntry
from peken.demo.orders import orders_load
from peken.demo.people import PersonFactory, roster_csv, roster_rows
from peken.demo.shops import ShopMaker, reference_items_load
from peken.merchants.models import Merchant
from peken.regions.models import Kecamatan, Kelurahan
from peken.regions.services import regions_import_bundled

DEMO_PASSWORD = "peken-demo"
DEMO_ASN_COUNT = 500
# Enough shops that every kelurahan has one or two, and listings, search and pemerataan reports
# look like a city's rather than a toy's.
DEMO_SHOP_COUNT = 300
DEMO_PRODUCT_COUNT = 3_200
DEMO_WAITING_SHOP_COUNT = 5
PENJUAL_PRODUCT_COUNT = 15
# The officer's kelurahan: `petugas` verifies there, `penjual` and `warga` live there.
HOME_KELURAHAN = "35.78.05.1003"
REJECTION_REASONS = (
    "Foto toko tidak jelas, mohon unggah foto tampak depan yang terang.",
    "Alamat tidak ditemukan saat kunjungan lapangan; mohon lengkapi nomor rumah dan RT/RW.",
    "Nama pemilik rekening berbeda dengan nama pemilik toko.",
)
OPD_FILE = Path(__file__).parent / "data" / "opd_surabaya.csv"
# The fixed logins, shown by `make run` and in the README.
DEMO_LOGINS = (
    ("admin", "admin kota (kantor belakang di /kelola/)"),
    ("petugas", "petugas kelurahan"),
    ("penjual", "pemilik toko"),
    ("asn", "ASN (NIP-nya juga bisa dipakai)"),
    ("warga", "warga pembeli"),
    ("opd", "admin OPD"),
    ("auditor", "auditor (hanya membaca)"),
)


class DemoRefused(DomainError):
    code = "demo_refused"
    default_message = gettext_lazy("Data demo hanya boleh dimuat saat DEBUG menyala.")


def demo_is_loaded() -> bool:
    return User.objects.filter(username="admin").exists()


def demo_load(*, seed: int = 1) -> bool:
    """Loads everything once; returns False when the demo was already there."""
    if not settings.DEBUG:
        raise DemoRefused()
    if not Kelurahan.objects.exists():
        regions_import_bundled(actor="demo")
    if demo_is_loaded():
        return False
    with transaction.atomic():
        opd_load_surabaya(actor="demo")
        roster_import(data=roster_csv(city_roster_rows(DEMO_ASN_COUNT, seed=seed)), actor="demo")
        _load_fixed_logins(seed)
        shops_load(seed=seed)
        orders_load(seed=seed)
    planner_statistics_refresh()
    return True


def opd_load_surabaya(*, actor) -> None:
    """Surabaya's agencies plus one kecamatan office per kecamatan, as OPDs."""
    rows = [OPD_FILE.read_text(encoding="utf-8").strip()]
    for kecamatan in Kecamatan.objects.order_by("code"):
        rows.append(f"KEC-{kecamatan.code},Kecamatan {kecamatan.name},kecamatan")
    account_services.opd_import(data="\n".join(rows).encode(), actor=actor)


def city_roster_rows(count: int, *, seed: int) -> list[dict[str, str]]:
    """A roster of `count` ASN over the OPDs and regions in the database."""
    return roster_rows(
        count,
        opd_codes=list(OPD.objects.order_by("code").values_list("code", flat=True)),
        kelurahan_codes=list(Kelurahan.objects.order_by("code").values_list("code", flat=True)),
        kecamatan_codes=list(Kecamatan.objects.order_by("code").values_list("code", flat=True)),
        seed=seed,
    )


def _load_fixed_logins(seed: int) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    kelurahan = Kelurahan.objects.select_related("kecamatan").get(code="35.78.05.1003")
    dinkopdag = OPD.objects.get(code="DINKOPDAG")

    def person(username: str, full_name: str, **fields) -> User:
        return User.objects.create(
            username=username, full_name=full_name, password=password, **fields
        )

    admin = person("admin", "Admin Diskominfo", email="admin@peken.local")
    RoleGrant.objects.create(user=admin, role=Role.CITY_ADMIN)
    officer = person("petugas", "Petugas Kelurahan " + kelurahan.name)
    RoleGrant.objects.create(user=officer, role=Role.OFFICER, kelurahan=kelurahan)
    auditor = person("auditor", "Auditor Inspektorat")
    RoleGrant.objects.create(user=auditor, role=Role.AUDITOR)
    opd_admin = person("opd", "Admin OPD Dinkopdag")
    RoleGrant.objects.create(user=opd_admin, role=Role.OPD_ADMIN, opd=dinkopdag)

    factory = PersonFactory(seed + 1000)
    merchant_born = factory.birth_date()
    merchant = person(
        "penjual",
        "Sri Wahyuni",
        nik=factory.nik(merchant_born, True, int(kelurahan.kecamatan.code[-2:])),
        phone=factory.phone(),
    )
    RoleGrant.objects.create(user=merchant, role=Role.MERCHANT)

    warga_born = factory.birth_date()
    warga = person(
        "warga",
        "Budi Santoso",
        nik=factory.nik(warga_born, False, int(kelurahan.kecamatan.code[-2:])),
        phone=factory.phone(),
    )
    WargaProfile.objects.create(user=warga, kelurahan=kelurahan, address="Jl. Kedungdoro No. 100")
    RoleGrant.objects.create(user=warga, role=Role.WARGA)

    asn_profile = AsnProfile.objects.select_related("user").filter(opd=dinkopdag).order_by("nip")
    asn_user = asn_profile.first().user
    asn_user.username, asn_user.password = "asn", password
    asn_user.save(update_fields=["username", "password"])


def shops_load(*, seed: int) -> None:
    """Verified shops over the whole city with their catalogs, `penjual`'s toko, and in the
    officer's kelurahan the shops they registered for owners: verified, waiting and rejected."""
    reference_items_load()
    officer = User.objects.get(username="petugas")
    home = Kelurahan.objects.select_related("kecamatan").get(code=HOME_KELURAHAN)
    maker = ShopMaker(seed)
    verified = maker.shops(DEMO_SHOP_COUNT)
    by_officer = {"registered_by": officer, "kelurahan": [home]}
    verified += maker.shops(2, status_changed_by=officer, **by_officer)
    waiting = maker.shops(2, status=Merchant.Status.SUBMITTED, **by_officer)
    waiting += maker.shops(DEMO_WAITING_SHOP_COUNT - 2, status=Merchant.Status.SUBMITTED)
    rejected = [
        shop
        for reason in REJECTION_REASONS
        for shop in maker.shops(
            1,
            status=Merchant.Status.REJECTED,
            status_reason=reason,
            status_changed_by=officer,
            kelurahan=[home],
        )
    ]
    penjual = _penjual_shop(maker, home, verified_by=officer)
    maker.catalogs(verified, DEMO_PRODUCT_COUNT)
    maker.catalogs([penjual], PENJUAL_PRODUCT_COUNT)
    # Shops waiting for verification have started their catalogs, as owners do.
    maker.catalogs(waiting + rejected, 4 * len(waiting + rejected))
    _audit_officer_decisions(officer)
    audit_record(
        actor="demo",
        action="demo.shops",
        target_type="merchants.Merchant",
        target_repr=f"{Merchant.objects.count()} toko demo",
    )


def _penjual_shop(maker: ShopMaker, home: Kelurahan, *, verified_by: User) -> Merchant:
    """The fixed login `penjual` owns a verified toko kelontong in the officer's kelurahan."""
    owner = User.objects.get(username="penjual")
    shop = maker.merchant(
        owner, "toko_kelontong", "", home, name="Toko Bu Sri", status_changed_by=verified_by
    )
    maker.shops_save([shop], new_owners=False)
    return shop


def _audit_officer_decisions(officer: User) -> None:
    """What the officer did appears in the audit log, as it would had they used the app."""
    decided = Merchant.objects.filter(status_changed_by=officer).order_by("id")
    AuditEntry.objects.bulk_create(
        audit_entry(
            actor=officer,
            action="merchant.verify" if shop.is_verified else "merchant.reject",
            target=shop,
            before={"status": Merchant.Status.SUBMITTED},
            after={"status": shop.status, "status_reason": shop.status_reason},
        )
        for shop in decided
    )
