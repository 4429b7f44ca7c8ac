"""Believable shops and products in bulk, for the demo and the benchmarks.

Everything goes in with bulk_create in batches: 200,000 products must load in seconds, not
minutes, so no row is ever saved on its own. The same seed gives the same shops, owners,
products and prices on the same database.
"""

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from peken.accounts.models import Role, RoleGrant, User
from peken.catalog.models import Category, Product, ReferenceItem
from peken.catalog.rules import search_text_for
from peken.demo.people import PersonFactory
from peken.merchants.models import BankAccount, Merchant
from peken.merchants.rules import BANKS
from peken.regions.models import Kelurahan

DATA = Path(__file__).parent / "data"
PRODUCT_TEMPLATES = DATA / "product_templates.csv"
REFERENCE_PRICES = DATA / "harga_acuan.csv"
BATCH_SIZE = 2000
# Fixed so that a seed gives the same dates whenever it runs.
EPOCH = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
# Pemerataan needs the small shops: most merchants are toko kelontong.
TOKO_KELONTONG_SHARE = 0.7
MBR_SHARE = 0.2
UMKM_LINES = (("kuliner", 45), ("kerajinan", 20), ("fashion", 20), ("lainnya", 15))
# How many products a shop of each kind lists, relative to the others.
CATALOG_SIZE = {"toko_kelontong": 1.4, "kuliner": 0.7, "kerajinan": 0.6, "fashion": 0.7}
CATALOG_SIZE_DEFAULT = 0.4
# The biggest shop lists at most this many times the average, so one shop cannot hold the lot.
LARGEST_SHOP = 8.0
# Share of products that are made when ordered (a porsi of rawon is cooked, not stocked).
MADE_TO_ORDER_SHARE = {"kuliner": 0.6, "kerajinan": 0.3, "fashion": 0.1}
SOLD_OUT_SHARE = 0.08
# More products than a shop has distinct goods: bundles of the same goods, as shops do.
BUNDLE_SIZES = (2, 3, 5, 6, 10, 12, 20, 24)

SHOP_WORDS = (
    "Berkah",
    "Barokah",
    "Makmur",
    "Sumber Rejeki",
    "Lancar Jaya",
    "Sentosa",
    "Abadi",
    "Sejahtera",
    "Amanah",
    "Mandiri",
    "Rizki",
    "Maju Jaya",
    "Sinar Harapan",
    "Mulya",
    "Sri Rejeki",
    "Tiga Putra",
)
DISHES = ("Rawon", "Pecel", "Rujak Cingur", "Lontong Balap", "Soto", "Tahu Campur", "Penyet")
SHOP_NAMES = {
    "toko_kelontong": (
        "Toko {first}",
        "Toko {word}",
        "Toko {word} {first}",
        "UD {word}",
        "Warung {first}",
        "Toko Sembako {first}",
        "Toko Kelontong {word}",
    ),
    "kuliner": (
        "Depot {first}",
        "Warung {dish} Cak {first}",
        "Dapur {first}",
        "Katering {first} {word}",
        "Depot {dish} {kelurahan}",
        "Jajan Pasar {first}",
    ),
    "kerajinan": (
        "Kerajinan {first}",
        "Anyaman {kelurahan}",
        "Griya Kriya {first}",
        "Sanggar {word}",
    ),
    "fashion": ("Batik {first}", "Butik {first}", "Rumah Batik {kelurahan}", "Konveksi {word}"),
    "lainnya": ("Kebun {first}", "Rumah Herbal {first}", "{word} Hijau", "Usaha {first}"),
}
SHOP_DESCRIPTIONS = {
    "toko_kelontong": (
        "Sembako dan kebutuhan harian warga sekitar.",
        "Toko kelontong keluarga, buka dari pagi sampai malam.",
        "Beras, gula, minyak goreng, telur dan kebutuhan dapur lainnya.",
    ),
    "kuliner": (
        "Masakan rumahan khas Suroboyo, dimasak setiap pagi.",
        "Menerima pesanan nasi kotak untuk rapat dan syukuran.",
        "Jajan pasar dan kue basah buatan sendiri.",
    ),
    "kerajinan": (
        "Anyaman dan kerajinan tangan buatan perajin kampung.",
        "Kerajinan dari bahan alam dan daur ulang.",
    ),
    "fashion": (
        "Batik tulis dan batik cap motif khas Surabaya.",
        "Busana muslim dan kerudung jahitan sendiri.",
    ),
    "lainnya": (
        "Tanaman hias, pupuk dan perlengkapan berkebun.",
        "Sabun dan perawatan diri dari bahan alami.",
    ),
}
GANG = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
OPENING_HOURS = {
    "toko_kelontong": (DAYS, "06:00", "21:00"),
    "kuliner": (DAYS[:6], "07:00", "15:00"),
}
OPENING_HOURS_DEFAULT = (DAYS[:6], "08:00", "17:00")


@dataclass(frozen=True)
class Good:
    """One thing a shop can list, as the template file describes it."""

    name: str
    category_slug: str
    unit: str
    price: int
    description: str


@dataclass(frozen=True)
class Assortment:
    """What one kind of shop sells: staples every such shop carries one of, and the rest."""

    staples: tuple[tuple[Good, ...], ...]
    goods: tuple[Good, ...]


def _expand(row: dict[str, str]) -> tuple[Good, ...]:
    """`Beras {} 5 kg` with `Topi Koki=74500|…` → one good per brand or variant."""
    options = [option.partition("=") for option in row["prices"].split("|")]
    if len(options) == 1 and not options[0][1]:
        options = [("", "=", options[0][0])]
    return tuple(
        Good(
            name=row["name"].replace("{}", label).replace("  ", " ").strip(),
            category_slug=row["category"],
            unit=row["unit"],
            price=int(price),
            description=row["description"],
        )
        for label, _, price in options
    )


def assortments_read(path: Path = PRODUCT_TEMPLATES) -> dict[str, Assortment]:
    """Assortment per shop key (`toko_kelontong`, `kuliner`, `kerajinan`, …)."""
    staples: dict[str, list] = {}
    goods: dict[str, list] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            expanded = _expand(row)
            goods.setdefault(row["shop"], []).extend(expanded)
            if row["staple"] == "1":
                staples.setdefault(row["shop"], []).append(expanded)
    return {
        shop: Assortment(staples=tuple(staples.get(shop, ())), goods=tuple(shop_goods))
        for shop, shop_goods in goods.items()
    }


def reference_items_load(path: Path = REFERENCE_PRICES) -> list[ReferenceItem]:
    """The city's harga acuan for the demo; existing items keep the price the city set."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    items = []
    for row in rows:
        item, _ = ReferenceItem.objects.get_or_create(
            name=row["name"],
            brand=row["brand"],
            variant=row["variant"],
            unit=row["unit"],
            defaults={"price": int(row["price"])},
        )
        items.append(item)
    return items


def shop_key(merchant: Merchant) -> str:
    return merchant.line or merchant.kind


def rupiah_round(amount: float) -> int:
    """Shop prices are round: to Rp 100, to Rp 500 from Rp 10.000, to Rp 5.000 from Rp 100.000."""
    step = 5_000 if amount >= 100_000 else 500 if amount >= 10_000 else 100
    return max(step, round(amount / step) * step)


class ShopMaker:
    """Builds owners, shops and catalogs from one seeded random stream."""

    def __init__(self, seed: int, kelurahan_codes: list[str] | None = None) -> None:
        self.random = random.Random(f"shops-{seed}")
        # Its own stream, so owners never repeat the NIKs of the demo's ASN roster.
        self.people = PersonFactory(seed + 7_000_000)
        self.people.used_nik.update(User.objects.exclude(nik=None).values_list("nik", flat=True))
        regions = Kelurahan.objects.select_related("kecamatan").order_by("code")
        if kelurahan_codes is not None:
            regions = regions.filter(code__in=kelurahan_codes)
        self.kelurahan = list(regions)
        if not self.kelurahan:
            raise ValueError("Belum ada kelurahan: jalankan `peken import-regions` dulu.")
        self.random.shuffle(self.kelurahan)
        self.categories = dict(Category.objects.values_list("slug", "id"))
        self.assortments = assortments_read()
        self.references = {
            str(item).lower(): item for item in ReferenceItem.objects.filter(is_active=True)
        }
        self.username_prefix = f"toko{seed}-"
        self.next_number = User.objects.filter(username__startswith=self.username_prefix).count()
        self.placed = 0  # merchants placed so far: the next kelurahan in the round

    # Shops and their owners

    def shop_kinds(self, count: int) -> list[tuple[str, str]]:
        """(kind, line) for `count` shops: 70% toko kelontong, the rest UMKM by line."""
        kelontong = round(count * TOKO_KELONTONG_SHARE)
        lines = [line for line, _ in UMKM_LINES]
        weights = [weight for _, weight in UMKM_LINES]
        kinds = [("toko_kelontong", "")] * kelontong + [
            ("umkm", line) for line in self.random.choices(lines, weights, k=count - kelontong)
        ]
        self.random.shuffle(kinds)
        return kinds

    def next_kelurahan(self, kelurahan: list[Kelurahan] | None) -> Kelurahan:
        """Round the city's kelurahan in turn, so every one of them gets shops."""
        pool = kelurahan or self.kelurahan
        chosen = pool[self.placed % len(pool)]
        self.placed += 1
        return chosen

    def owner(self, kelurahan: Kelurahan, joined: dt.datetime) -> User:
        self.next_number += 1
        is_female = self.random.random() < 0.55
        born = self.people.birth_date()
        return User(
            username=f"{self.username_prefix}{self.next_number:05d}",
            full_name=self.people.name(),
            nik=self.people.nik(born, is_female, int(kelurahan.kecamatan.code[-2:])),
            phone=self.people.phone(),
            # Generated owners never log in; the demo's own shop owner is `penjual`.
            password=f"{UNUSABLE_PASSWORD_PREFIX}{self.random.getrandbits(64):016x}",
            date_joined=joined,
        )

    def shop_name(self, key: str, owner_name: str, kelurahan: Kelurahan) -> str:
        pattern = self.random.choice(SHOP_NAMES[key])
        return pattern.format(
            first=owner_name.split(" ")[0],
            word=self.random.choice(SHOP_WORDS),
            dish=self.random.choice(DISHES),
            kelurahan=kelurahan.name,
        )

    def opening_hours(self, key: str) -> dict[str, list[str]]:
        days, opens, closes = OPENING_HOURS.get(key, OPENING_HOURS_DEFAULT)
        return {day: [opens, closes] for day in days}

    def merchant(
        self,
        owner: User,
        kind: str,
        line: str,
        kelurahan: Kelurahan,
        *,
        name: str | None = None,
        status: str = Merchant.Status.VERIFIED,
        **fields,
    ) -> Merchant:
        """An unsaved shop of `owner`; fields override the generated ones."""
        key = line or kind
        opened = owner.date_joined + dt.timedelta(hours=self.random.randint(1, 72))
        changed_at = opened + dt.timedelta(days=2)
        has_nib = self.random.random() < 0.6
        return Merchant(
            owner=owner,
            name=name or self.shop_name(key, owner.full_name, kelurahan),
            description=self.random.choice(SHOP_DESCRIPTIONS[key]),
            kind=kind,
            line=line,
            phone=owner.phone,
            address=(
                f"Jl. {kelurahan.name} Gg. {self.random.choice(GANG)} "
                f"No. {self.random.randint(1, 120)}"
            ),
            kelurahan=kelurahan,
            is_mbr=self.random.random() < MBR_SHARE,
            nib=f"{self.random.randint(10**12, 10**13 - 1)}" if has_nib else "",
            opening_hours=self.opening_hours(key),
            status=status,
            status_changed_at=None if status == Merchant.Status.DRAFT else changed_at,
            created_at=opened,
            **fields,
        )

    def bank_account(self, merchant: Merchant) -> BankAccount:
        return BankAccount(
            merchant=merchant,
            bank_code=self.random.choice(list(BANKS)),
            account_number=f"{self.random.randint(10**9, 10**10 - 1)}",
            holder_name=merchant.owner.full_name,
        )

    def shops(
        self,
        count: int,
        *,
        status: str = Merchant.Status.VERIFIED,
        kelurahan: list[Kelurahan] | None = None,
        kinds: list[tuple[str, str]] | None = None,
        **fields,
    ) -> list[Merchant]:
        """`count` new shops with new owners, saved; fields go to every Merchant."""
        kinds = kinds or self.shop_kinds(count)
        merchants = []
        for kind, line in kinds:
            place = self.next_kelurahan(kelurahan)
            joined = EPOCH - dt.timedelta(days=self.random.randint(30, 800))
            owner = self.owner(place, joined)
            merchants.append(self.merchant(owner, kind, line, place, status=status, **fields))
        return self.shops_save(merchants, new_owners=True)

    def shops_save(self, merchants: list[Merchant], *, new_owners: bool) -> list[Merchant]:
        if new_owners:
            owners = [merchant.owner for merchant in merchants]
            User.objects.bulk_create(owners, batch_size=BATCH_SIZE)
            grants = [RoleGrant(user=owner, role=Role.MERCHANT) for owner in owners]
            RoleGrant.objects.bulk_create(grants, batch_size=BATCH_SIZE)
        Merchant.objects.bulk_create(merchants, batch_size=BATCH_SIZE)
        accounts = [self.bank_account(merchant) for merchant in merchants]
        BankAccount.objects.bulk_create(accounts, batch_size=BATCH_SIZE)
        return merchants

    # Catalogs

    def catalog_sizes(self, merchants: list[Merchant], total: int) -> list[int]:
        """Split `total` products over the shops: a few big shops, many small ones."""
        if not merchants:
            return []
        weights = [
            min(self.random.paretovariate(1.5), LARGEST_SHOP)
            * CATALOG_SIZE.get(shop_key(merchant), CATALOG_SIZE_DEFAULT)
            for merchant in merchants
        ]
        floor = 1 if total >= len(merchants) else 0
        spread = total - floor * len(merchants)
        scale = spread / sum(weights)
        sizes = [floor + int(weight * scale) for weight in weights]
        for index in range(total - sum(sizes)):
            sizes[index % len(sizes)] += 1
        return sizes

    def goods_for(self, merchant: Merchant, count: int) -> list[tuple[Good, int]]:
        """`count` (good, bundle size) pairs: a staple of each kind first, then the rest."""
        assortment = self.assortments[shop_key(merchant)]
        chosen = [self.random.choice(variants) for variants in assortment.staples][:count]
        taken = set(chosen)
        rest = [good for good in assortment.goods if good not in taken]
        chosen += self.random.sample(rest, min(count - len(chosen), len(rest)))
        listed = [(good, 1) for good in chosen]
        for index in range(count - len(listed)):
            listed.append((chosen[index % len(chosen)], self._bundle(index // len(chosen))))
        return listed

    @staticmethod
    def _bundle(round_number: int) -> int:
        return BUNDLE_SIZES[round_number % len(BUNDLE_SIZES)] * (
            1 + round_number // len(BUNDLE_SIZES)
        )

    def stock(self, key: str) -> tuple[int, bool]:
        """(stock, made to order)."""
        if self.random.random() < MADE_TO_ORDER_SHARE.get(key, 0):
            return 0, True
        if self.random.random() < SOLD_OUT_SHARE:
            return 0, False
        return self.random.randint(1, 20 if key in ("kerajinan", "fashion") else 150), False

    def product(self, merchant: Merchant, good: Good, bundle: int) -> Product:
        reference = self.references.get(good.name.lower()) if bundle == 1 else None
        if reference is not None:
            # Harga acuan: the same brand costs the same at every toko.
            name, unit, price = good.name, reference.unit, reference.price
        elif bundle == 1:
            name, unit = good.name, good.unit
            price = rupiah_round(good.price * self.random.uniform(0.92, 1.1))
        else:
            name, unit = f"{good.name} (paket isi {bundle})", "pack"
            price = rupiah_round(good.price * bundle * self.random.uniform(0.88, 0.97))
        stock, made_to_order = self.stock(shop_key(merchant))
        # Ids rather than objects, and every field given: Model.__init__ is most of the cost.
        return Product(
            merchant_id=merchant.id,
            name=name,
            description=good.description,
            category_id=self.categories[good.category_slug],
            price=price,
            unit=unit,
            stock=stock,
            is_made_to_order=made_to_order,
            reference_item_id=reference.id if reference else None,
            is_active=True,
            review=Product.Review.APPROVED,
            review_reason="",
            search_text=search_text_for(
                name=name, description=good.description, merchant_name=merchant.name
            ),
            # Within the shop's first 25 days, which all lie before EPOCH.
            created_at=merchant.created_at + dt.timedelta(hours=self.random.randint(1, 600)),
        )

    def catalogs(self, merchants: list[Merchant], total: int) -> int:
        """`total` products over `merchants`, saved in batches; returns how many."""
        made = 0
        batch: list[Product] = []
        for merchant, size in zip(merchants, self.catalog_sizes(merchants, total), strict=True):
            for good, bundle in self.goods_for(merchant, size):
                batch.append(self.product(merchant, good, bundle))
            if len(batch) >= BATCH_SIZE:
                made += self._products_save(batch)
                batch = []
        return made + self._products_save(batch)

    @staticmethod
    def _products_save(products: list[Product]) -> int:
        Product.objects.bulk_create(products, batch_size=BATCH_SIZE)
        return len(products)


def catalog_generate(
    *,
    merchant_count: int,
    product_count: int,
    seed: int,
    kelurahan_codes: list[str] | None = None,
) -> None:
    """`merchant_count` verified shops with new owners and `product_count` products over them,
    spread over every kelurahan (or the given ones). Deterministic for a seed on a given
    database; products of goods on the city's harga acuan carry exactly the reference price."""
    maker = ShopMaker(seed, kelurahan_codes)
    with transaction.atomic():
        merchants = maker.shops(merchant_count)
        maker.catalogs(merchants, product_count)
