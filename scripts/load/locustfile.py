"""Payday on Peken's web pages: ASN browse, search, open products and shops, fill a cart and
check out, as `scripts/bench.py` (section "load") drives it with Locust, headless.

Users come from PEKEN_LOAD_USERS (a file of "username password" lines) and products from
PEKEN_LOAD_PRODUCTS (ids, one per line), written by the benchmark when it builds the city.
A request counts as an error when it fails or when a checkout does not reach its payment page.
"""

import os
import random
import re
from itertools import cycle

from locust import HttpUser, between, task

WORDS = ("beras", "minyak goreng", "gula", "telur", "sabun", "kopi", "rawon", "batik", "kerupuk")
HIDDEN = re.compile(r'name="(token|lines)" value="([^"]*)"')


def _lines(path_variable: str) -> list[str]:
    with open(os.environ[path_variable], encoding="utf-8") as source:
        return [line.strip() for line in source if line.strip()]


ACCOUNTS = cycle([line.split() for line in _lines("PEKEN_LOAD_USERS")])
PRODUCTS = [int(line) for line in _lines("PEKEN_LOAD_PRODUCTS")]


class PaydayBuyer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        username, password = next(ACCOUNTS)
        self.client.get("/masuk/", name="login page")
        self.client.post(
            "/masuk/",
            {"username": username, "password": password},
            headers=self._csrf(),
            name="login",
        )

    def _csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host}

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(5)
    def search(self):
        self.client.get("/cari/", params={"q": random.choice(WORDS)}, name="search")

    @task(4)
    def product(self):
        self.client.get(f"/barang/{random.choice(PRODUCTS)}/", name="product page")

    @task(2)
    def add_to_cart(self):
        self.client.post(
            "/keranjang/tambah/",
            {"product_id": random.choice(PRODUCTS), "quantity": random.randint(1, 3)},
            headers=self._csrf(),
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
        with self.client.post(
            "/keranjang/checkout/",
            {**fields, "fulfilment": "pickup", "address": "", "method": "qris"},
            headers=self._csrf(),
            name="checkout",
            catch_response=True,
        ) as response:
            if "/bayar/" in response.url:
                response.success()
            elif "hanya bisa menerima" in response.text or "tinggal" in response.text:
                response.success()  # refused by a rule (cap, stock), as it should be
            else:
                response.failure(f"checkout did not reach payment: {response.url}")
