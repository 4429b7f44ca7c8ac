"""Writes racing each other with real threads and commits: the photo limit holds, and a city
admin's new reference price and an owner's edit of a linked product both land, without deadlock."""

import threading

from django.db import connection

from peken.catalog import services
from peken.catalog.models import Product
from peken.core.errors import DomainError


def race(*calls) -> list[str]:
    """Runs the calls at the same moment, each in its own thread and connection; 'ok' or the
    error code of each."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_uploads_racing_for_the_fifth_photo_leave_five(live_db, make_product, owner, picture):
    product = make_product()
    for _ in range(4):
        services.product_photo_add(actor=owner, product=product, upload=picture())
    uploads = [picture(), picture("PNG")]

    outcomes = race(
        *(
            lambda upload=upload: services.product_photo_add(
                actor=owner, product=product, upload=upload
            )
            for upload in uploads
        )
    )
    assert outcomes == ["ok", "too_many_photos"]
    assert product.photos.count() == 5


def test_a_new_reference_price_and_an_owners_stock_edit_both_land(
    live_db, make_product, owner, city_admin
):
    item = services.reference_item_create(
        actor=city_admin, name="Gula pasir", brand="Gulaku", unit="kg", price=17_500
    )
    products = [
        make_product(name=f"Gulaku 1 kg ({n})", reference_item_id=item.pk, price=17_500, unit="kg")
        for n in range(3)
    ]

    def reprice():
        services.reference_item_set_price(actor=city_admin, item=item, price=18_000)

    def restock():
        for product in products:
            services.product_update(actor=owner, product=product, stock=99)

    assert race(reprice, restock) == ["ok", "ok"]
    stored = Product.objects.filter(pk__in=[p.pk for p in products])
    assert set(stored.values_list("price", "stock")) == {(18_000, 99)}
