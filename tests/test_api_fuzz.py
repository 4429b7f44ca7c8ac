"""Schemathesis over the whole API in `make test`, bounded: every operation of the OpenAPI
document, as a buyer (bearer token) and anonymously, a few generated requests each, none answered
with a server error or a body its documented schema does not describe. `make fuzz` (scripts/
fuzz.py) runs the same driver (tests/api_fuzzing.py) for thousands of cases as every role."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from ninja import Schema

from api_fuzzing import Role, api_schema, fuzz
from payment_steps import charge, two_shop_checkout
from peken.accounts.services import token_issue
from peken.regions import selectors as regions_selectors

pytestmark = pytest.mark.django_db

EXAMPLES = 4  # per operation, role and mode: some 1,300 requests in about 20 s
SEED = 17


@pytest.fixture
def wsgi_inside_the_test_transaction(settings, tmp_path):
    """Runs a fuzz through the WSGI application inside the test's transaction. Each request
    starts and ends by closing a database connection that is out of autocommit, as a server
    must; here that would end the test's own transaction. Django's test client does the same as
    this while it calls the application (and reconnects after: so the schema is read first)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.MEDIA_ROOT = tmp_path  # an upload that gets through lands nowhere that matters

    def run(schema, roles, **options):
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
        try:
            return fuzz(schema, roles, **options)
        finally:
            for signal in (request_started, request_finished):
                signal.connect(close_old_connections)

    return run


@pytest.fixture
def buyer_with_a_payment():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    shops = [order.merchant for order in orders]
    ids = {
        "merchant_id": [shop.pk for shop in shops],
        "product_id": [product.pk for shop in shops for product in shop.products.all()],
        "order_id": [order.pk for order in orders],
        "checkout_id": [checkout.pk],
        "reference": [payment.reference],
        "gateway": ["simulator", "midtrans"],
    }
    return checkout.buyer, ids


def test_no_operation_answers_a_server_error_or_an_undocumented_body(
    wsgi_inside_the_test_transaction, buyer_with_a_payment
):
    fuzz_here = wsgi_inside_the_test_transaction
    buyer, ids = buyer_with_a_payment
    roles = [
        Role("anonim"),
        Role("asn", lambda: {"Authorization": f"Bearer {token_issue(user=buyer)}"}),
    ]
    schema = api_schema()
    operations = sum(1 for _ in schema.get_all_operations())
    run = fuzz_here(schema, roles, examples=EXAMPLES, real_ids=lambda role: ids, random_seed=SEED)
    assert run.server_errors == [], "\n\n".join(str(error) for error in run.server_errors)
    assert sorted(set(run.nonconforming)) == []
    assert run.cases >= operations * len(roles)  # every operation reached, as each role
    assert run.statuses[200] and run.statuses[401]  # the buyer got answers, anonymous refusals


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """The OpenAPI document names each schema by its class: two classes of one name (a report's
    KecamatanOut and the regions' KecamatanOut) documented one endpoint with the other's fields."""
    by_name = {}
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("peken."):
            by_name.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: modules for name, modules in by_name.items() if len(modules) > 1} == {}


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_the_fuzzer_notices_a_server_error(wsgi_inside_the_test_transaction, monkeypatch):
    """The check itself can fail: a view made to crash is reported, with its exception."""

    def crash():
        raise RuntimeError("rusak")

    monkeypatch.setattr(regions_selectors, "kecamatan_list", crash)
    schema = api_schema().include(path="/api/v1/regions/kecamatan", method="GET")
    run = wsgi_inside_the_test_transaction(schema, [Role("anonim")], examples=1)
    assert [error.status for error in run.server_errors] == [500]
    assert "RuntimeError: rusak" in run.server_errors[0].error
