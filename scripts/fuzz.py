"""`make fuzz`: Schemathesis over every operation of the API, as every role, on a scratch copy of
the demo city, until at least --cases requests were made. Prints the case count, the server
errors (each once, with a curl line and the exception) and the time; exits 1 on any 5xx.

    .venv/bin/python scripts/fuzz.py                        # 5,000+ cases on SQLite
    .venv/bin/python scripts/fuzz.py --database postgresql  # on a scratch PostgreSQL database
    .venv/bin/python scripts/fuzz.py --cases 500 --seed 7

Production settings (DEBUG off), with the payment simulator on so payments can be exercised.
The requests run in this process through the WSGI application; the driver is tests/api_fuzzing.py.
"""

import argparse
import math
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from peken.simulation.databases import scratch_database  # noqa: E402  (no Django needed)

# Path parameter → the model and field whose values are real objects. A role's own objects
# come first (its shop, its orders), so the state changes it may make are reached too.
REAL_IDS = {
    "merchant_id": ("merchants.Merchant", "pk"),
    "product_id": ("catalog.Product", "pk"),
    "order_id": ("ordering.Order", "pk"),
    "checkout_id": ("ordering.Checkout", "pk"),
    "reference": ("payments.Payment", "reference"),
    "complaint_id": ("payments.Complaint", "pk"),
    "warga_id": ("accounts.WargaProfile", "pk"),
    "opd_code": ("accounts.OPD", "code"),
    "photo_id": ("catalog.ProductPhoto", "pk"),
    "item_id": ("catalog.ReferenceItem", "pk"),
    "term_id": ("catalog.ProhibitedTerm", "pk"),
    "batch_id": ("payouts.PayoutBatch", "pk"),
    "import_id": ("payouts.SettlementImport", "pk"),
}
SAMPLE = 12
MODES = 2  # each operation is fuzzed with valid (positive) and invalid (negative) requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000, help="at least this many requests")
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql or a URL")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    with scratch_database(args.database) as url, tempfile.TemporaryDirectory() as data_dir:
        _environment(url, data_dir)
        run = _fuzz(args.cases, args.seed)
    elapsed = time.monotonic() - started
    _report(run, elapsed, args.database)
    return 1 if run.server_errors else 0


def _environment(database_url: str, data_dir: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="peken.settings",
        DATABASE_URL=database_url,
        PEKEN_DATA_DIR=data_dir,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        PEKEN_PAYMENT_SIMULATOR="1",
        PEKEN_PAYMENT_GATEWAY="simulator",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PEKEN_SMS_BACKEND="peken.accounts.sms.MemoryBackend",
        LOG_LEVEL="ERROR",
    )


def _fuzz(cases: int, random_seed: int):
    import django

    django.setup()
    from api_fuzzing import FuzzRun, api_schema, fuzz

    roles = _demo_city()
    schema = api_schema()
    operations = sum(1 for _ in schema.get_all_operations())
    pairs = operations * len(roles)
    print(f"fuzz: {operations} operations × {len(roles)} roles, at least {cases} cases", flush=True)
    run = FuzzRun()
    # Operations with few distinct requests give fewer cases than asked: rounds with new seeds
    # go on until the total is reached.
    for round_number in range(1, 11):
        missing = cases - run.cases
        if missing <= 0:
            break
        examples = max(2, math.ceil(missing / (pairs * MODES) * 1.5))
        fuzz(
            schema,
            roles,
            examples=examples,
            real_ids=_real_ids,
            random_seed=random_seed + round_number,
            run=run,
        )
        print(f"fuzz: round {round_number}: {run.summary()}", flush=True)
    return run


def _demo_city():
    """Migrates, loads the demo city and returns its people as roles (and anonymous)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from api_fuzzing import Role
    from peken.accounts.models import User
    from peken.accounts.services import token_issue
    from peken.demo.services import DEMO_LOGINS, demo_load

    call_command("migrate", verbosity=0)
    with override_settings(DEBUG=True):  # the demo refuses to load without DEBUG
        demo_load()

    def signed_in(username):
        user = User.objects.get(username=username)
        return Role(username, lambda: {"Authorization": f"Bearer {token_issue(user=user)}"})

    return [Role("anonim"), *(signed_in(username) for username, _ in DEMO_LOGINS)]


def _real_ids(role) -> dict[str, list]:
    from django.apps import apps

    from peken.accounts.models import User

    user = User.objects.filter(username=role.name).first()
    found = {}
    for parameter, (model_name, field) in REAL_IDS.items():
        model = apps.get_model(model_name)
        values = list(model.objects.order_by("?").values_list(field, flat=True)[:SAMPLE])
        found[parameter] = _own(model, field, user) + values
    found["table"] = _report_tables()
    found["gateway"] = ["simulator", "midtrans"]
    return found


def _own(model, field, user) -> list:
    """The role's own objects of `model`, found by the usual owner fields."""
    if user is None:
        return []
    owners = {
        "Merchant": "owner",
        "Product": "merchant__owner",
        "Order": "buyer",
        "Checkout": "buyer",
        "Payment": "checkout__buyer",
        "Complaint": "order__buyer",
    }
    owner = owners.get(model.__name__)
    if owner is None:
        return []
    return list(model.objects.filter(**{owner: user}).values_list(field, flat=True)[:SAMPLE])


def _report_tables() -> list[str]:
    from peken.reports.exports import TABLES

    return list(TABLES)


def _report(run, elapsed: float, database: str) -> None:
    print()
    print(f"fuzz: {run.summary()} on {database} in {elapsed:.0f} s")
    print(f"fuzz: statuses {dict(sorted(run.statuses.items()))}")
    if run.nonconforming:
        kinds = sorted(set(run.nonconforming))
        print(f"fuzz: {len(run.nonconforming)} responses not as documented ({len(kinds)} kinds):")
        for line in kinds[:30]:
            print(f"  {line}")
    seen = set()
    for error in run.server_errors:
        key = (error.operation, error.error.strip().splitlines()[-1:] and error.error.strip())
        if key in seen:
            continue
        seen.add(key)
        print(f"\nSERVER ERROR {error}")


if __name__ == "__main__":
    sys.exit(main())
