"""The statements of placing a cart, each built once and run many times.

Building SQL from a queryset costs Django 0.3–0.8 ms of CPU, more than PostgreSQL spends running
the statement, and a checkout built eight of them, plus an UPDATE per line of the cart. Here each
read is still written as a queryset (so the rules stay where they are, `products_visible` above
all) but compiled to SQL once per shape, and rows are inserted with the columns the models
declare, without the ORM rebuilding the INSERT each time.

Stock is taken in one conditional UPDATE for the whole cart (`stock >= quantity`, checked by the
database in the statement that writes). On PostgreSQL its rows are first locked in id order,
within the same statement, so two carts sharing products never wait on each other in a cycle;
SQLite has one writer at a time and no row locks to order.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from peken.accounts.models import AsnProfile, User, WargaProfile
from peken.catalog.models import Product
from peken.catalog.selectors import products_visible
from peken.merchants.models import Merchant

# What placement reads of a shop.
SHOP_READS = {
    "id",
    "owner_id",
    "name",
    "kelurahan_id",
    "offers_pickup",
    "offers_delivery",
    "delivery_fee_same_kelurahan",
    "delivery_fee_same_kecamatan",
    "delivery_fee_city",
}
# The same in the model's field order, which Model.from_db wants.
MERCHANT_FIELDS = tuple(
    field.attname for field in Merchant._meta.concrete_fields if field.attname in SHOP_READS
)
PRODUCT_COLUMNS = (
    "id",
    "name",
    "price",
    "unit",
    "is_made_to_order",
    "merchant__kelurahan__kecamatan_id",
    *(f"merchant__{name}" for name in MERCHANT_FIELDS),
)


@dataclass(frozen=True)
class Area:
    """Where a buyer lives (or, for an ASN living outside the city, works)."""

    kelurahan_id: int | None
    kecamatan_id: int | None


@dataclass(frozen=True)
class SellableProduct:
    """A visible product as placement needs it, with its shop."""

    id: int
    name: str
    price: int
    unit: str
    is_made_to_order: bool
    # Loaded with MERCHANT_FIELDS only; any other field loads from the database on access.
    merchant: Merchant
    merchant_kecamatan_id: int


def asn_area(user: User) -> Area | None:
    """The area of the user's active ASN profile; None without one."""
    row = _fetch_one(_asn_area_sql(connection.vendor), user.pk)
    if row is None:
        return None
    kelurahan_id, kecamatan_id, workplace_kecamatan_id = row
    return Area(kelurahan_id, kecamatan_id if kelurahan_id else workplace_kecamatan_id)


def warga_area(user: User) -> Area | None:
    """The area of the user's warga profile; None without one."""
    row = _fetch_one(_warga_area_sql(connection.vendor), user.pk)
    return Area(*row) if row is not None else None


def products_sellable(product_ids: list[int]) -> dict[int, SellableProduct]:
    """The products among `product_ids` that buyers may order (`products_visible`), by id."""
    sql, fixed = _products_sql(len(product_ids), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fixed, *product_ids])
        rows = cursor.fetchall()
    products = {}
    for product_id, name, price, unit, made_to_order, kecamatan_id, *merchant in rows:
        shop = Merchant.from_db(connection.alias, MERCHANT_FIELDS, merchant)
        products[product_id] = SellableProduct(
            product_id, name, price, unit, bool(made_to_order), shop, kecamatan_id
        )
    return products


def stock_take(quantities: dict[int, int]) -> set[int]:
    """Takes `quantity` of each product; returns the ids it took from. Runs inside the caller's
    transaction, which must roll back unless every id came back (a product short of its
    quantity does not; on PostgreSQL none does when a product row is gone)."""
    product_ids = sorted(quantities)
    values: list = []
    for product_id in product_ids:
        values += [product_id, quantities[product_id]]
    if connection.vendor == "postgresql":
        values.append(len(product_ids))
    with connection.cursor() as cursor:
        cursor.execute(_stock_take_sql(len(product_ids), connection.vendor), values)
        return {product_id for (product_id,) in cursor.fetchall()}


def stock_shortfall(quantities: dict[int, int], taken: set[int]) -> tuple[int, int]:
    """After a refused take: the first product (by id) that was not taken and has less than its
    quantity now, and what it has (0 if it is gone). Stock may have come back meanwhile: then the
    first product not taken, with its stock now."""
    missing = sorted(set(quantities) - taken)
    stock = dict(Product.objects.filter(pk__in=missing).values_list("pk", "stock"))
    short = [pk for pk in missing if stock.get(pk, 0) < quantities[pk]]
    product_id = (short or missing)[0]
    return product_id, stock.get(product_id, 0)


# --- the statements, built once ---------------------------------------------------------------


def _fetch_one(compiled: tuple[str, tuple], *varying) -> tuple | None:
    sql, fixed = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fixed, *varying])
        return cursor.fetchone()


def _compiled(build: Callable[[], QuerySet], varying: list) -> tuple[str, tuple]:
    """The SQL of the queryset `build()` returns and its own values, for running again with other
    values in place of `varying`, which must be the statement's last ones (the queryset is built
    with them)."""
    sql, values = build().query.sql_with_params()
    # Built twice: a rule like "published before now" would give another value the second time,
    # and compiled once it would keep the first checkout's now for ever.
    if build().query.sql_with_params() != (sql, values):
        raise RuntimeError(f"the statement changes from one build to the next: {sql}")
    fixed, last = values[: len(values) - len(varying)], values[len(values) - len(varying) :]
    if list(last) != list(varying):
        raise RuntimeError(f"the varying values are not the last of: {sql}")
    return sql, tuple(fixed)


def _placeholders(count: int) -> list[int]:
    # Ids no row has: the compiled text is the same whatever ids run it later.
    return [-number for number in range(1, count + 1)]


@functools.cache
def _asn_area_sql(vendor: str) -> tuple[str, tuple]:
    user = _placeholders(1)
    return _compiled(
        lambda: (
            AsnProfile.objects.filter(is_active=True)
            .filter(user_id=user[0])
            .values_list(
                "domicile_kelurahan_id",
                "domicile_kelurahan__kecamatan_id",
                "workplace_kecamatan_id",
            )
        ),
        user,
    )


@functools.cache
def _warga_area_sql(vendor: str) -> tuple[str, tuple]:
    user = _placeholders(1)
    return _compiled(
        lambda: WargaProfile.objects.filter(user_id=user[0]).values_list(
            "kelurahan_id", "kelurahan__kecamatan_id"
        ),
        user,
    )


@functools.cache
def _products_sql(count: int, vendor: str) -> tuple[str, tuple]:
    ids = _placeholders(count)
    return _compiled(
        lambda: products_visible().filter(pk__in=ids).values_list(*PRODUCT_COLUMNS), ids
    )


@functools.cache
def _stock_take_sql(lines: int, vendor: str) -> str:
    table = Product._meta.db_table
    wanted = ", ".join(["(%s, %s)"] * lines)
    lock, all_locked = "", ""
    if vendor == "postgresql":
        # The count is an uncorrelated subquery, so PostgreSQL runs it once before the update
        # reads a row: every lock is taken there, in id order (the sort feeds the locking).
        lock = f"""
            , locked AS MATERIALIZED (
                SELECT id FROM {table}
                WHERE id IN (SELECT product_id FROM wanted)
                ORDER BY id
                FOR UPDATE
            )"""
        all_locked = "AND (SELECT count(*) FROM locked) = %s"
    return f"""
        WITH wanted (product_id, quantity) AS (VALUES {wanted}){lock}
        UPDATE {table} SET stock = {table}.stock - wanted.quantity
        FROM wanted
        WHERE {table}.id = wanted.product_id AND {table}.stock >= wanted.quantity {all_locked}
        RETURNING id
    """
