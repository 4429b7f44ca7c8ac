"""Complaints: the buyer asks, the shop answers, an officer decides; a refund gives money, cap
and obligation back."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

import factories
from outbox_steps import outbox_sent
from payment_steps import KEDUNGDORO, charge, complete, pay, two_shop_checkout
from peken.core.errors import OutsideArea, PermissionDenied
from peken.core.months import Month
from peken.ledger.selectors import account_balances, ledger_is_balanced, merchant_balance
from peken.notifications.models import Notification
from peken.obligations.selectors import obligation_of
from peken.ordering.models import Order
from peken.payments.complaints import complaint_answer, complaint_decide, complaint_open
from peken.payments.errors import ComplaintNotAllowed, ComplaintStatusConflict, RefundTooLarge
from peken.payments.models import Refund
from peken.payments.refunds import refunds_send
from peken.quotas.models import MerchantMonthQuota

pytestmark = pytest.mark.django_db


def completed_order():
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    order = Order.objects.get(pk=orders[0].pk)
    return complete(order)


def spent(order) -> int:
    return obligation_of(user=order.buyer, month=Month.of(order.placed_at)).spent


def opened(order, reason="damaged"):
    return complaint_open(
        buyer=order.buyer, order=order, reason=reason, description="Berasnya basah dan berkutu."
    )


def test_a_partial_refund_reverses_ledger_cap_and_obligation():
    order = completed_order()
    spent_before = spent(order)
    used_before = MerchantMonthQuota.objects.get(merchant=order.merchant).used
    complaint = opened(order)
    complaint = complaint_answer(
        owner=order.merchant.owner, complaint=complaint, answer="Maaf, kami ganti sebagian."
    )
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    decided = complaint_decide(
        actor=officer, complaint=complaint, refund_amount=50_000, note="Setengah beras rusak."
    )
    assert decided.status == "refunded" and decided.refund.amount == 50_000
    assert merchant_balance(order.merchant_id) == order.total - 50_000
    assert MerchantMonthQuota.objects.get(merchant=order.merchant).used == used_before - 50_000
    assert spent(order) == spent_before - 50_000
    assert ledger_is_balanced()
    assert refunds_send() == 1
    assert Refund.objects.get(kind="complaint").status == "sent"


def test_a_refund_beyond_the_goods_takes_the_delivery_fee_too():
    order = completed_order()
    admin = factories.person_with("city_admin")
    complaint_decide(
        actor=admin,
        complaint=opened(order, "not_received"),
        refund_amount=order.total,
        note="Pesanan tidak pernah sampai.",
    )
    order.refresh_from_db()
    assert (order.refunded_goods, order.refunded_delivery) == (
        order.goods_total,
        order.delivery_fee,
    )
    assert merchant_balance(order.merchant_id) == 0


def test_a_refund_larger_than_what_is_left_is_refused():
    order = completed_order()
    admin = factories.person_with("city_admin")
    with pytest.raises(RefundTooLarge):
        complaint_decide(
            actor=admin,
            complaint=opened(order),
            refund_amount=order.total + 1,
            note="Terlalu banyak",
        )
    assert account_balances()["merchant_payable"] == order.total


def test_rejecting_changes_no_money():
    order = completed_order()
    admin = factories.person_with("city_admin")
    decided = complaint_decide(
        actor=admin,
        complaint=opened(order),
        refund_amount=0,
        note="Foto tidak menunjukkan kerusakan.",
    )
    assert decided.status == "rejected" and not Refund.objects.exists()
    with pytest.raises(ComplaintStatusConflict):
        complaint_decide(actor=admin, complaint=decided, refund_amount=10, note="Berubah pikiran")


def test_complaints_close_three_days_after_completion():
    order = completed_order()
    late = timezone.now() + dt.timedelta(days=3, minutes=1)
    with time_machine.travel(late), pytest.raises(ComplaintNotAllowed):
        opened(order)


def test_an_unpaid_order_cannot_be_complained_about_but_a_paid_one_never_delivered_can():
    checkout, orders = two_shop_checkout()
    with pytest.raises(ComplaintNotAllowed):
        opened(orders[0], "not_received")
    pay(charge(checkout))
    assert opened(Order.objects.get(pk=orders[0].pk), "not_received").status == "open"


def test_only_the_buyer_complains_only_the_owner_answers_and_officers_decide_in_their_area():
    order = completed_order()
    with pytest.raises(PermissionDenied):
        complaint_open(buyer=factories.asn(), order=order, reason="other", description="x" * 20)
    complaint = opened(order)
    with pytest.raises(PermissionDenied):
        complaint_answer(owner=order.buyer, complaint=complaint, answer="Bukan toko saya")
    elsewhere = factories.officer(kelurahan_code="35.78.01.1001")
    with pytest.raises(OutsideArea):
        complaint_decide(actor=elsewhere, complaint=complaint, refund_amount=1, note="Di luar area")


def test_one_complaint_at_a_time_per_order():
    order = completed_order()
    opened(order)
    with pytest.raises(ComplaintNotAllowed) as refused:
        opened(order)
    assert refused.value.code == "complaint_not_allowed"


@pytest.mark.parametrize("refund_amount", [0, 10_000])
def test_no_second_complaint_after_a_decided_one(api, refund_amount):
    """Issue 17, newcomer's gap 5: a rejected (or refunded) complaint was followed by another."""
    order = completed_order()
    admin = factories.person_with("city_admin")
    complaint_decide(
        actor=admin, complaint=opened(order), refund_amount=refund_amount, note="Sudah diperiksa."
    )
    again = api(order.buyer).post(
        f"/orders/{order.pk}/complaints",
        {"reason": "other", "description": "Saya tidak terima keputusannya."},
    )
    assert again.status_code == 409, again.content
    assert again.json()["code"] == "complaint_already_decided"
    assert "sudah diputuskan" in again.json()["message"]
    assert order.complaints.count() == 1
    assert ledger_is_balanced()


def test_the_shop_is_told_of_a_complaint_in_the_app_and_by_mail():
    """Issue 17, newcomer's gap 5: the shop did not hear of a complaint about its order."""
    order = completed_order()
    owner = order.merchant.owner
    owner.email = "bu.sri@example.com"
    owner.save()
    mail.outbox.clear()
    opened(order, "damaged")
    note = Notification.objects.get(user=owner, kind="complaint_opened")
    assert f"#{order.pk}" in note.text and "Barang rusak" in note.text
    assert note.url == f"/penjual/pesanan/{order.pk}/"
    assert not Notification.objects.filter(user=order.buyer, kind="complaint_opened").exists()
    [message] = outbox_sent()
    assert message.to == ["bu.sri@example.com"] and f"#{order.pk}" in message.body


def test_a_refused_complaint_tells_the_shop_nothing():
    order = completed_order()
    opened(order)
    with pytest.raises(ComplaintNotAllowed):
        opened(order)
    assert Notification.objects.filter(kind="complaint_opened").count() == 1


def test_complaint_api_round_trip(api):
    order = completed_order()
    response = api(order.buyer).post(
        f"/orders/{order.pk}/complaints",
        {"reason": "wrong_item", "description": "Yang datang beras merah, bukan putih."},
    )
    assert response.status_code == 201, response.content
    complaint_id = response.json()["id"]
    answer = api(order.merchant.owner).post(
        f"/complaints/{complaint_id}/answer", {"answer": "Kami kirim ulang besok."}
    )
    assert answer.json()["status"] == "answered"
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    decided = api(officer).post(
        f"/complaints/{complaint_id}/decide", {"refund_amount": -5, "note": "Nominal salah"}
    )
    assert decided.status_code == 422 and decided.json()["code"] == "invalid_input"
    decided = api(officer).post(
        f"/complaints/{complaint_id}/decide", {"refund_amount": 20_000, "note": "Ganti sebagian"}
    )
    assert decided.status_code == 200 and decided.json()["refund_amount"] == 20_000
    stranger = factories.asn()
    assert api(stranger).get("/complaints").json()["count"] == 0
