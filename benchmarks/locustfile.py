"""Payday on Peken's web pages: ASN browse, search, open products and shops, fill a cart and
check out, as `python -m benchmarks` (section "load") drives it with Locust, headless.

Users come from PEKEN_LOAD_USERS (a file of "username password" lines) and products from
PEKEN_LOAD_PRODUCTS (ids, one per line), written by the benchmark when it builds the city.
A request counts as an error when it fails or when a checkout does not reach its payment page.

The measured minutes start when every user has logged in (PEKEN_LOAD_USER_COUNT of them) and
last PEKEN_LOAD_SECONDS: a login hashes the password on purpose slowly, and at payday most ASN
are signed in already, so Locust's statistics start afresh at that moment (the logins are not
in the figures).
"""

import os
import random
import re
from itertools import cycle
from urllib.parse import urlencode

import gevent
from gevent.event import Event
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

WORDS = ("beras", "minyak goreng", "gula", "telur", "sabun", "kopi", "rawon", "batik", "kerupuk")
HIDDEN = re.compile(r'name="(token|lines)" value="([^"]*)"')


def _lines(path_variable: str) -> list[str]:
    with open(os.environ[path_variable], encoding="utf-8") as source:
        return [line.strip() for line in source if line.strip()]


ACCOUNTS = cycle([line.split() for line in _lines("PEKEN_LOAD_USERS")])
PRODUCTS = [int(line) for line in _lines("PEKEN_LOAD_PRODUCTS")]


FORM = "application/x-www-form-urlencoded"
USER_COUNT = int(os.environ.get("PEKEN_LOAD_USER_COUNT", "1"))
MEASURED_SECONDS = float(os.environ.get("PEKEN_LOAD_SECONDS", "60"))
ALL_SIGNED_IN = Event()
_signed_in = 0


def _one_more_signed_in(environment) -> None:
    """When the last user is in: statistics start afresh, and the run ends after the minutes."""
    global _signed_in
    _signed_in += 1
    if _signed_in == USER_COUNT:
        environment.runner.stats.reset_all()
        ALL_SIGNED_IN.set()
        mark = os.environ.get("PEKEN_LOAD_SIGNED_IN_MARK")
        if mark:  # the benchmark starts its CPU meters now
            open(mark, "w").close()
        gevent.spawn_later(MEASURED_SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _release_waiting(**_kwargs) -> None:
    ALL_SIGNED_IN.set()


class PaydayBuyer(FastHttpUser):
    """A buyer on Locust's cheaper client (geventhttpclient): the client's own CPU per request
    is a fraction of requests', so the figures say what the server does."""

    wait_time = between(1, 3)

    def on_start(self):
        username, password = next(ACCOUNTS)
        self.client.get("/masuk/", name="login page")
        self._post("/masuk/", {"username": username, "password": password}, name="login")
        _one_more_signed_in(self.environment)
        ALL_SIGNED_IN.wait()

    def _post(self, path: str, fields: dict, **options):
        headers = {"X-CSRFToken": self._cookie("csrftoken"), "Referer": self.host}
        headers["Content-Type"] = FORM
        return self.client.post(path, data=urlencode(fields), headers=headers, **options)

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == name), "")

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(5)
    def search(self):
        self.client.get("/cari/?" + urlencode({"q": random.choice(WORDS)}), name="search")

    @task(4)
    def product(self):
        self.client.get(f"/barang/{random.choice(PRODUCTS)}/", name="product page")

    @task(2)
    def add_to_cart(self):
        self._post(
            "/keranjang/tambah/",
            {"product_id": random.choice(PRODUCTS), "quantity": random.randint(1, 3)},
            name="add to cart",
        )

    @task(1)
    def checkout(self):
        if random.random() < 0.5:
            self.add_to_cart()
        cart = self.client.get("/keranjang/", name="cart")
        fields = dict(HIDDEN.findall(cart.text))
        if "token" not in fields:
            return  # an empty cart: nothing to check out
        with self._post(
            "/keranjang/checkout/",
            {**fields, "fulfilment": "pickup", "address": "", "method": "qris"},
            name="checkout",
            catch_response=True,
        ) as response:
            if "/bayar/" in response.url:
                response.success()
            elif "hanya bisa menerima" in response.text or "tinggal" in response.text:
                response.success()  # refused by a rule (cap, stock), as it should be
            else:
                response.failure(f"checkout did not reach payment: {response.url}")
