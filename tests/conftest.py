import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

import factories
from peken.accounts.models import Role
from peken.accounts.services import token_issue
from peken.regions.services import regions_import_bundled
from translation_steps import mark_catalogue_gaps


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in Bahasa Indonesia: LocaleMiddleware activates a request's language in
    the thread and nothing deactivates it, so one English request would carry into the next
    test's messages."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Login counters, sessions and cached listings of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english_catalogue_with_gaps_marked(monkeypatch):
    """English, with every message the catalogue lacks read as a marker (translation_steps)."""
    mark_catalogue_gaps(trans_real.translation("en"), monkeypatch)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts with Surabaya's 31 kecamatan and 153 kelurahan in the database."""
    with django_db_blocker.unblock():
        regions_import_bundled(actor="tests")


class ApiClient:
    """The Django test client speaking JSON with a bearer token, as a mobile app would."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.headers["Authorization"] = f"Bearer {token_issue(user=user)}"

    def _call(self, method, path, data=None, **extra):
        call = getattr(self.client, method)
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if data is not None and method != "get":
            kwargs.update(data=data, content_type="application/json")
        elif data is not None:
            kwargs["data"] = data
        return call(f"/api/v1{path}", **kwargs)

    def get(self, path, data=None, **extra):
        return self._call("get", path, data, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._call("put", path, data, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, **extra)

    def upload(self, path, files: dict, **fields):
        """A multipart POST, as a phone uploading a photo or a spreadsheet."""
        return self.client.post(f"/api/v1{path}", {**files, **fields}, headers=self.headers)


@pytest.fixture
def api():
    """`api(user)` → a JSON client logged in as that user; `api()` → anonymous."""
    return ApiClient


@pytest.fixture
def city_admin(db):
    return factories.user("adminkota", Role.CITY_ADMIN)


@pytest.fixture
def auditor(db):
    return factories.user("auditor", Role.AUDITOR)


def ensure_reference_data() -> None:
    """Regions and the city's catalog defaults, reloaded after a transactional test's flush."""
    from importlib import import_module

    from django.apps import apps

    from peken.catalog.models import Category
    from peken.regions.models import Kelurahan

    if not Kelurahan.objects.exists():
        regions_import_bundled(actor="tests")
    if not Category.objects.exists():
        defaults = import_module("peken.catalog.migrations.0003_city_defaults")
        defaults.load(apps, None)


@pytest.fixture
def live_db(transactional_db):
    """A database that threads share: real commits, as under concurrent requests.

    pytest-django runs these tests after the others, and empties the tables after each.
    """
    ensure_reference_data()
