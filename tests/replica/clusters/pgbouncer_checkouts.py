"""Checkouts from several threads through PgBouncer in transaction mode, in a process of its own
(DATABASE_URL: PgBouncer; PEKEN_PGBOUNCER as the caller chooses). Prints {"placed", "errors"}.

    python pgbouncer_checkouts.py PRODUCT_ID BUYER_ID [BUYER_ID ...]
"""

import json
import os
import sys
import threading

os.environ["DJANGO_SETTINGS_MODULE"] = "peken_test_settings"  # whatever the caller runs under

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from peken.accounts.models import User  # noqa: E402
from peken.catalog.models import Product  # noqa: E402
from peken.ordering.services import checkout_place  # noqa: E402

CHECKOUTS_EACH = 15


def main() -> None:
    product_id, *buyer_ids = (int(argument) for argument in sys.argv[1:])
    placed: list[int] = []
    errors: list[str] = []

    start = threading.Barrier(len(buyer_ids))

    def buy(buyer_id: int) -> None:
        try:
            buyer = User.objects.get(pk=buyer_id)
            start.wait()  # all at once: the pool's two server connections change hands often
            for _ in range(CHECKOUTS_EACH):
                # The same statements again and again, each in a transaction of its own: what
                # psycopg prepares from a statement's second use on.
                Product.objects.filter(pk=product_id).values_list("stock", flat=True).first()
                result = checkout_place(buyer=buyer, lines=[(product_id, 1)], fulfilment="pickup")
                placed.append(result.checkout.pk)
        except Exception as error:  # reported, not raised: the caller compares the two runs
            errors.append(f"{type(error).__name__}: {error}"[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(buyer_id,)) for buyer_id in buyer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"placed": len(placed), "errors": errors}))


if __name__ == "__main__":
    main()
