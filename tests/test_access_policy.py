"""Issue 17: the declared access policy (peken.accounts.access_policy) is what Peken does.

Every OpenAPI operation and every page is called as each role and as a stranger, against other
people's objects (a buyer, an order, a payment, a complaint, a shop and a warga in another
kecamatan and another OPD). For each pair the table says "served" or "refused":

- refused: 401/403/404 or the sign-in page (400/422 too for a write, when the input was refused
  first), and nothing in the database changed;
- served: anything but a refusal.

Every response of the walk is also scanned for the other people's NIK, phone and bank account
numbers: they may show only where a role may see them. The pairs checked are written to
var/access-policy-walk-*.txt (run with -s to see the summary)."""

import copy
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import factories
import payment_steps
from peken.accounts.access_policy import Reach, api_access, page_access
from peken.accounts.models import Role, User
from peken.accounts.services import token_issue
from peken.api import api as ninja_api

pytestmark = pytest.mark.django_db

HOME = "35.78.05.1003"  # Kedungdoro, Tegalsari: where the walkers live and work
AWAY = "35.78.10.1003"  # Gading, Tambaksari: where the other people's things are
OBJECT_PARAMETERS = {
    "merchant_id",
    "product_id",
    "photo_id",
    "order_id",
    "reference",
    "checkout_id",
    "complaint_id",
    "warga_id",
    "opd_code",
}
SIGN_IN_PAGES = ("/masuk/", "/kelola/login/")
WALK_REPORTS = Path(__file__).resolve().parents[1] / "var"


# --- the world --------------------------------------------------------------------------------


def _walkers():
    """One person per role, all at HOME, in OPD 'DINKES'; and the stranger."""
    home_opd = factories.opd()
    merchant_walker = factories.merchant(HOME).owner
    return {
        "anonymous": None,
        "asn": factories.asn(HOME, opd=home_opd),
        "warga": factories.warga(HOME).user,
        "merchant": merchant_walker,
        "officer": factories.officer(kelurahan_code=HOME),
        "opd_admin": factories.opd_admin(home_opd),
        "city_admin": factories.user(None, Role.CITY_ADMIN),
        "auditor": factories.user(None, Role.AUDITOR),
    }


def _others():
    """Other people's things, AWAY and in another OPD, each with secrets to watch for."""
    from peken.catalog.models import ProhibitedTerm
    from peken.merchants.models import BankAccount
    from peken.ordering.services import checkout_place
    from peken.payments.complaints import complaint_open
    from peken.payments.services import payment_start
    from peken.payouts.models import PayoutBatch, SettlementImport

    away_opd = factories.opd("BAPPEDA", "Badan Perencanaan", "badan")
    buyer = factories.asn(AWAY, opd=away_opd)
    warga = factories.warga(AWAY)
    User.objects.filter(pk=buyer.pk).update(phone="081299990001")
    User.objects.filter(pk=warga.user_id).update(phone="081299990003")
    owner = factories.user(None, Role.MERCHANT, nik=factories.valid_nik(), phone="081299990002")
    shop = factories.merchant(AWAY, owner=owner, name="Toko Seberang")
    BankAccount.objects.filter(merchant=shop).update(account_number="9988776655443")
    product = factories.product(shop, name="Gula Pasir 1 kg", price=18_000, stock=40)
    placed = checkout_place(buyer=buyer, lines=[(product.pk, 1)], fulfilment="pickup")
    payment = payment_start(buyer=buyer, checkout_id=placed.checkout.pk, method="qris")
    payment_steps.pay(payment)
    order = payment_steps.complete(placed.orders[0])
    complaint = complaint_open(
        buyer=buyer, order=order, reason="damaged", description="Kemasan gula sobek semua."
    )
    return {
        "objects": {
            "merchant_id": shop.pk,
            "product_id": product.pk,
            "photo_id": 1,
            "order_id": order.pk,
            "reference": payment.reference,
            "checkout_id": placed.checkout.pk,
            "complaint_id": complaint.pk,
            "warga_id": warga.pk,
            "opd_code": away_opd.code,
            "batch_id": PayoutBatch.objects.create(trigger="on_demand").pk,
            "import_id": SettlementImport.objects.create(filename="laporan.csv").pk,
            "item_id": _reference_item().pk,
            "reference_item_id": _reference_item().pk,
            "term_id": ProhibitedTerm.objects.values_list("pk", flat=True).first() or 1,
            "table": "ringkasan",
            "gateway": "simulator",
            "slug": "sembako",
            "step": "usaha",
            "action": "verify",
            "file_type": "csv",
        },
        "secrets": {
            "nik": [buyer.nik, owner.nik, warga.user.nik],
            "phone": ["081299990001", "081299990003"],
            "bank": ["9988776655443"],
        },
    }


def _reference_item():
    from peken.catalog.models import ReferenceItem

    return ReferenceItem.objects.first() or ReferenceItem.objects.create(
        name="Beras medium", brand="Uji", unit="kg", price=12_500
    )


# Who may see another person's secrets in clear (the walkers are never that person, nor an
# officer of their area): a city admin, on a page or answer about that one person or shop, never
# in a list. The bank file for the bank carries account numbers by its nature.
MAY_SEE = {
    "nik": {"city_admin"},
    "phone": {"city_admin"},
    "bank": set(),
}
BANK_FILE = "payout_bank_file"


def _may_see(secret_kind: str, walker: str, name: str, *, one_object: bool) -> bool:
    if name == BANK_FILE:
        return True
    return one_object and walker in MAY_SEE[secret_kind]


# --- the endpoints ----------------------------------------------------------------------------


def _api_operations():
    """(operation, method, path template, request-body schema) of every OpenAPI operation."""
    schema = ninja_api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            name = operation["operationId"].rsplit("_api_", 1)[1]
            content = operation.get("requestBody", {}).get("content", {})
            yield name, method, path, content, components


def _pages():
    """(url name, path template) of every page outside the API; the back office by its
    changelists and index."""

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern)

    for name, route in walk(get_resolver(), "", None):
        if route.startswith("api/"):
            continue
        if route.startswith("kelola/") and not (
            name in ("admin:index", "roster-upload") or (name or "").endswith("_changelist")
        ):
            continue
        yield name, route


def _fill(route: str, objects: dict) -> tuple[str, set[str]]:
    """The path with every parameter replaced by another person's object; the parameters used."""
    used = set()

    def value(match):
        name = match.group("name")
        used.add(name)
        return str(objects[name])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)
    path = re.sub(r"\{(?P<name>\w+)\}", value, path)
    return "/" + path.lstrip("/"), used


def _example(schema: dict, components: dict, objects: dict):
    """A small value of the schema's shape, so the input passes validation and the permission
    check is what decides. A field naming an object (`merchant_id`, …) names another person's."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components, objects)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _example(schema[key][0], components, objects)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: objects[name] if name in objects else _example(value, components, objects)
            for name, value in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [_example(schema["items"], components, objects)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-12-01"
    if schema.get("format") == "binary":
        return SimpleUploadedFile("uji.csv", b"nip,nama\n", content_type="text/csv")
    return "Isian uji coba yang cukup panjang"[: schema.get("maxLength", 40)]


# --- the walk ---------------------------------------------------------------------------------

WATCHED_MODELS = None


def _state() -> str:
    """A fingerprint of the database: row counts and the status of everything with one."""
    global WATCHED_MODELS
    if WATCHED_MODELS is None:
        WATCHED_MODELS = [
            model
            for model in apps.get_models()
            if model.__module__.startswith("peken.") and not model._meta.proxy
        ]
    parts = []
    for model in WATCHED_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in ("status",)]
        rows = model.objects.order_by("pk").values_list("pk", *fields)
        parts.append(f"{model._meta.label}:{list(rows)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _with_objects(body: dict, objects: dict) -> dict:
    """The body with each field that names an object set to another person's object."""
    return {
        name: objects.get(name, value) if name.endswith("_id") else value
        for name, value in body.items()
    }


def _turned_away(response) -> bool:
    """Refused at the gate: not signed in, not allowed, or told the thing does not exist."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (301, 302, 303):
        return response.headers.get("Location", "").startswith(SIGN_IN_PAGES)
    return False


def _outcome(response, access) -> str:
    if access.checks_credentials and response.status_code == 401:
        return "served"  # the gate is the credentials themselves: a wrong one is answered 401
    if _turned_away(response):
        return "refused"
    if access.writes and response.status_code in (400, 405, 422):
        return "input refused"  # refused before the permission check; nothing may change
    return "served"


def _call(client, method, path, *, token=None, body=None, form=False):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, headers=headers)
    if form:
        return getattr(client, method)(path, body or {}, headers=headers)
    return getattr(client, method)(
        path,
        data=body if body is not None else {},
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def world():
    walkers = _walkers()
    tokens = {name: token_issue(user=person) for name, person in walkers.items() if person}
    sessions = {}
    for name, person in walkers.items():
        client = Client()
        if person is not None:
            client.force_login(person)
        sessions[name] = client.cookies
    return walkers, tokens, sessions, _others()


def _walk(world, endpoints):
    """Calls every endpoint as every walker inside a transaction rolled back after the call, so
    each call meets the same world. Returns the mismatches, the leaks and the pairs checked."""
    walkers, tokens, sessions, others = world
    mismatches, leaks, pairs = [], [], []
    for kind, name, method, route, access, body, form in endpoints:
        path, used = _fill(route, others["objects"])
        if isinstance(body, dict):
            body = _with_objects(body, others["objects"])
            used |= set(body) & OBJECT_PARAMETERS
        on_others = bool(used & OBJECT_PARAMETERS)
        for walker, person in walkers.items():
            roles = set(person.roles) if person else set()
            expected = access.admits(roles, signed_in=person is not None) and (
                not on_others or access.reaches_others(roles)
            )
            with transaction.atomic():
                before = _state() if not expected and access.writes else None
                # A fresh client with the walker's session cookie: a page that signs out or
                # renews the session must not change who the next call is.
                client = Client()
                if kind == "page":
                    client.cookies = copy.deepcopy(sessions[walker])
                token = tokens.get(walker) if kind == "api" else None
                response = _call(client, method, path, token=token, body=body, form=form)
                changed = before is not None and _state() != before
                transaction.set_rollback(True)
            outcome = _outcome(response, access)
            pairs.append(f"{kind} {method.upper()} {path} [{name}] {walker}: {outcome}")
            wrong = outcome == "refused" if expected else outcome == "served"
            if wrong or changed:
                mismatches.append(
                    f"{method.upper()} {path} ({name}) as {walker}: "
                    f"expected {'served' if expected else 'refused'}, got "
                    f"{response.status_code}{' and the database changed' if changed else ''}"
                )
            text = response.content.decode(errors="replace")
            for secret_kind, values in others["secrets"].items():
                if _may_see(secret_kind, walker, name, one_object=on_others):
                    continue
                for value in values:
                    if value in text:
                        leaks.append(
                            f"{secret_kind} {value} in {method.upper()} {path} as {walker}"
                        )
    return mismatches, leaks, pairs


def _report(pairs, title):
    WALK_REPORTS.mkdir(exist_ok=True)
    report = WALK_REPORTS / f"access-policy-walk-{title}.txt"
    report.write_text(f"# {title}: {len(pairs)} pairs\n" + "\n".join(pairs) + "\n")
    counts = Counter(pair.rsplit(": ", 1)[1] for pair in pairs)
    print(f"{title}: {len(pairs)} pairs checked ({dict(counts)}); listed in {report}")


def test_every_api_operation_has_an_entry():
    missing = [name for name, *_ in _api_operations() if api_access(name) is None]
    assert missing == [], f"API operations without an access-policy entry: {missing}"


def test_every_page_has_an_entry():
    missing = [name for name, _ in _pages() if page_access(name or "") is None]
    assert missing == [], f"pages without an access-policy entry: {missing}"


def test_the_api_does_what_the_policy_declares(world):
    endpoints = []
    for name, method, path, content, components in _api_operations():
        json_schema = content.get("application/json", {}).get("schema")
        form_schema = content.get("multipart/form-data", {}).get("schema")
        body = _example(json_schema or form_schema, components, {}) if content else None
        endpoints.append(
            ("api", name, method, path.removeprefix("/"), api_access(name), body, bool(form_schema))
        )
    mismatches, leaks, pairs = _walk(world, endpoints)
    _report(pairs, "api")
    assert not mismatches, "\n".join(mismatches)
    assert not leaks, "\n".join(leaks)


def test_the_pages_do_what_the_policy_declares(world):
    endpoints = []
    for name, route in _pages():
        access = page_access(name or "")
        methods = ["get", "post"] if access.writes else ["get"]
        for method in methods:
            endpoints.append(("page", name, method, route, access, None, True))
    mismatches, leaks, pairs = _walk(world, endpoints)
    _report(pairs, "pages")
    assert not mismatches, "\n".join(mismatches)
    assert not leaks, "\n".join(leaks)


def test_an_auditor_is_never_admitted_to_a_write():
    from peken.accounts.access_policy import API, PAGES

    for access in [*API.values(), *PAGES.values()]:
        if access.writes and access.reach is not Reach.PUBLIC and not access.auditor_may:
            assert not access.admits({Role.AUDITOR}, signed_in=True)
