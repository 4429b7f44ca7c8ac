"""A visitor who picked English reads statuses, reasons, notifications and the audit log's
columns in English: every label on these pages passes through the catalogue when the page is
drawn, none is an Indonesian word fixed at import time or a raw status code.

These tests do not wait for the English catalogue: under `english_catalogue_with_gaps_marked`
(see translation_steps) a label that skipped the catalogue still reads in Bahasa Indonesia and
is caught; one that went through it reads as its translation or its marker.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

import factories
import translation_steps
from factories import KEDUNGDORO
from payment_steps import complete, notify, pay, receive
from peken.accounts.models import Role
from peken.core.models import AuditEntry
from peken.merchants.models import Merchant
from peken.notifications.models import Notification
from peken.ordering import rules as order_rules
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_answer, complaint_decide, complaint_open
from peken.payments.models import Complaint, Payment, Refund
from peken.payments.services import payment_start
from peken.web.buyer import order_views
from peken.web.merchant import orders as merchant_orders
from translation_steps import in_english

pytestmark = pytest.mark.django_db

# Every table of words a page shows for a stored code: the words to look for are read from here.
CHOICE_TABLES = [
    Order.Status,
    Order.Fulfilment,
    Payment.Status,
    Payment.Method,
    Refund.Kind,
    Refund.Status,
    Complaint.Status,
    Complaint.Reason,
    Notification.Kind,
    Merchant.Status,
]
PLAIN_TABLES = [order_rules.STATUS_LABELS, order_views.ACTOR_LABELS, merchant_orders.ACTOR_LABELS]


def labels() -> list[tuple[str, str]]:
    """(code, Indonesian words) of every label table that is translated. A choice label left a
    plain string is a name the same in every language (QRIS, ASN) and is not looked for."""
    pairs = []
    with translation.override(settings.LANGUAGE_CODE):
        for table in CHOICE_TABLES:
            pairs += [
                (code, str(label)) for code, label in table.choices if isinstance(label, Promise)
            ]
        for table in PLAIN_TABLES:
            pairs += [(code, str(label)) for code, label in table.items()]
    return pairs


def codes() -> set[str]:
    """Every stored code of the label tables that no English word could be mistaken for."""
    every = [code for table in CHOICE_TABLES for code in table.values]
    every += [code for table in PLAIN_TABLES for code in table]
    return {code for code in every if "_" in code}


def visible_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return translation_steps.visible_text(response)


def assert_no_indonesian_label_nor_code(page: str) -> None:
    untranslated = sorted(
        {
            words
            for _code, words in labels()
            if in_english(words) != words
            and re.search(rf"(?<!\w){re.escape(words)}(?!\w)", page, re.IGNORECASE)
        }
    )
    raw_codes = sorted(code for code in codes() if code in page)
    assert untranslated == [], page
    assert raw_codes == [], page


# --- the scene: one buyer's orders in every kind of state -------------------------------------


@pytest.fixture
def scene(english_catalogue_with_gaps_marked):
    # Names free of label words ("Toko", "Anda" …), so that only labels can trip the check.
    shop = factories.merchant(
        KEDUNGDORO, name="Warung Sri Rejeki", delivery_fee_same_kelurahan=5_000
    )
    rice = factories.product(shop, name="Beras Pandan", price=75_000, stock=50)
    buyer = factories.warga().user
    officer = factories.officer(kelurahan_code=KEDUNGDORO)

    def placed(fulfilment="delivery"):
        result = checkout_place(
            buyer=buyer, lines=[(rice.pk, 1)], fulfilment=fulfilment, address="Jl. Kedungdoro 5"
        )
        payment = payment_start(buyer=buyer, checkout_id=result.checkout.pk, method="qris")
        return result.orders[0], payment

    completed, completed_payment = placed()
    pay(completed_payment)
    completed = complete(Order.objects.get(pk=completed.pk))
    complaint = complaint_open(
        buyer=buyer, order=completed, reason="damaged", description="Berasnya basah dan apek."
    )
    complaint_answer(owner=shop.owner, complaint=complaint, answer="Maaf, kami ganti uangnya.")
    complaint_decide(actor=officer, complaint=complaint, refund_amount=10_000, note="Beras basah.")

    expired, expired_payment = placed()
    receive(notify(expired_payment, "expired"))

    waiting, waiting_payment = placed()

    ready, ready_payment = placed("pickup")
    pay(ready_payment)
    for action in ("accept", "ready"):
        order_transition(
            order=Order.objects.get(pk=ready.pk), action=action, actor=None, actor_kind="system"
        )
    return {
        "shop": shop,
        "buyer": buyer,
        "officer": officer,
        "complaint": complaint,
        "orders": {
            status: Order.objects.get(pk=order.pk)
            for status, order in [
                ("completed", completed),
                ("cancelled", expired),
                ("awaiting_payment", waiting),
                ("ready_for_pickup", ready),
            ]
        },
        "payments": {"expired": expired_payment, "pending": waiting_payment},
    }


def english_page(client, user, url) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visible_text(client.get(url))


def test_the_scene_has_the_states_the_pages_are_checked_in(scene):
    """The checks below are only worth something if each state is really there."""
    assert {code: order.status for code, order in scene["orders"].items()} == {
        code: code for code in scene["orders"]
    }
    assert Payment.objects.get(pk=scene["payments"]["expired"].pk).status == "expired"
    assert Complaint.objects.get(pk=scene["complaint"].pk).status == "refunded"


def test_the_buyers_order_list_reads_in_english(client, scene):
    page = english_page(client, scene["buyer"], reverse("web:orders"))
    assert_no_indonesian_label_nor_code(page)
    for status in scene["orders"]:
        assert in_english(Order.Status(status).label) in page


@pytest.mark.parametrize(
    "status", ["completed", "cancelled", "awaiting_payment", "ready_for_pickup"]
)
def test_the_buyers_order_page_reads_in_english(client, scene, status):
    order = scene["orders"][status]
    page = english_page(client, scene["buyer"], reverse("web:order", args=[order.pk]))
    assert_no_indonesian_label_nor_code(page)
    assert in_english(Order.Status(status).label) in page
    assert in_english(Order.Fulfilment(order.fulfilment).label) in page


def test_a_complaint_and_its_decision_read_in_english_for_buyer_shop_and_officer(client, scene):
    complaint, order = scene["complaint"], scene["orders"]["completed"]
    pages = [
        english_page(client, scene["buyer"], reverse("web:order", args=[order.pk])),
        english_page(client, scene["shop"].owner, reverse("web:merchant-order", args=[order.pk])),
        english_page(
            client, scene["officer"], reverse("web:officer-complaint", args=[complaint.pk])
        ),
        english_page(
            client, scene["officer"], reverse("web:officer-complaints") + "?status=refunded"
        ),
    ]
    for page in pages:
        assert_no_indonesian_label_nor_code(page)
        assert in_english(Complaint.Status.REFUNDED.label) in page
        assert in_english(Complaint.Reason.DAMAGED.label) in page


def test_a_cancelled_order_gives_its_reason_in_english_to_buyer_and_shop(client, scene):
    order = scene["orders"]["cancelled"]
    assert order.cancel_reason == "Pembayaran kedaluwarsa"
    for user, url in [
        (scene["buyer"], reverse("web:order", args=[order.pk])),
        (scene["shop"].owner, reverse("web:merchant-order", args=[order.pk])),
    ]:
        page = english_page(client, user, url)
        assert in_english(order.cancel_reason) in page
        assert order.cancel_reason not in page


def test_the_shops_order_inbox_reads_in_english(client, scene):
    page = english_page(client, scene["shop"].owner, reverse("web:merchant-orders-list"))
    assert_no_indonesian_label_nor_code(page)
    assert in_english(Order.Status.READY_FOR_PICKUP.label) in page


@pytest.mark.parametrize("which", ["expired", "pending"])
def test_the_payment_page_reads_in_english(client, scene, which):
    payment = scene["payments"][which]
    page = english_page(client, scene["buyer"], reverse("web:payment", args=[payment.reference]))
    assert_no_indonesian_label_nor_code(page)
    order_status = "cancelled" if which == "expired" else "awaiting_payment"
    assert in_english(Order.Status(order_status).label) in page
    if which == "expired":
        assert in_english(Payment.Status.EXPIRED.label) in page


def test_stored_notifications_read_in_the_readers_language(client, scene):
    notes = list(Notification.objects.filter(user=scene["buyer"]))
    assert {note.kind for note in notes} >= {"order_placed", "order_paid", "order_cancelled"}
    page = english_page(client, scene["buyer"], reverse("web:notifications"))
    assert_no_indonesian_label_nor_code(page)
    for note in notes:
        assert note.text not in page  # stored in Bahasa Indonesia, read in English
        with translation.override("en"):
            assert note.text_in_active_language in page
    cancelled = next(note for note in notes if note.kind == "order_cancelled")
    assert in_english("Pembayaran kedaluwarsa") in page and "kedaluwarsa" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert cancelled.text in visible_text(client.get(reverse("web:notifications")))


def column_headers(response) -> dict[str, str]:
    """The changelist's columns: field name → the header a person reads."""
    html = response.content.decode()
    cells = re.findall(r'<th scope="col" class="[^"]*column-(\w+)[^"]*">(.*?)</th>', html, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for name, cell in cells}


def test_the_back_office_audit_log_has_its_column_headers_in_english(client, scene):
    admin = factories.user("adminkota", Role.CITY_ADMIN)
    assert AuditEntry.objects.filter(action="complaint.decide").exists()
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    headers = column_headers(client.get(reverse("admin:core_auditentry_changelist")))
    shown = ["at", "actor_name", "action", "target_type", "target_repr"]
    assert list(headers) == shown
    for name in shown:
        english = in_english(AuditEntry._meta.get_field(name).verbose_name)
        assert headers[name] == english[:1].upper() + english[1:]


# --- weekday names: Django's own, in the visitor's language ------------------------------------


@pytest.mark.parametrize(
    "language, monday, sunday", [("id", "Senin", "Minggu"), ("en", "Monday", "Sunday")]
)
def test_a_shops_opening_days_are_named_in_the_visitors_language(client, language, monday, sunday):
    shop = factories.merchant(
        KEDUNGDORO, opening_hours={"senin": ["07:00", "21:00"], "minggu": ["08:00", "12:00"]}
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = visible_text(client.get(reverse("web:shop", args=[shop.pk])))
    assert f"{monday} 07:00–21:00" in page and f"{sunday} 08:00–12:00" in page
    other = {"id": "Monday", "en": "Senin"}[language]
    assert other not in page and "senin" not in page


def test_the_shop_registration_offers_the_days_in_english(client):
    owner = factories.warga().user
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = visible_text(client.get(reverse("web:merchant-register-step", args=["usaha"])))
    assert all(day in page for day in ["Monday", "Wednesday", "Sunday"])
    assert "Senin" not in page and "Minggu" not in page
