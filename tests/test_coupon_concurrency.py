"""R13 under contention: many parallel grants on PostgreSQL never exceed the quantity or give a buyer two."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from coupons import services
from coupons.models import Coupon, CouponGrant
from seller_desk.errors import ApplicationError
from seller_desk.models import Buyer
from seller_desk.selectors import store_local_date
from tests.factories import make_store

QUANTITY = 50
BUYERS = 200
DUPLICATE_ATTEMPTS = 60
WORKERS = 24


@pytest.mark.django_db(transaction=True)
def test_R13_parallel_grants_stop_exactly_at_the_quantity_one_per_buyer(require_postgres):
    store = make_store(name="Contended Store")
    today = store_local_date(store)
    coupon = services.coupon_create(
        store=store,
        acting_user=None,
        values={
            "name_suffix": "-Rush",
            "denomination": "3",
            "threshold": "0",
            "currency": "USD",
            "quantity": QUANTITY,
            "valid_until": today + timedelta(days=30),
        },
    )
    Buyer.objects.bulk_create([Buyer(store=store, external_id=f"rush-{i}") for i in range(BUYERS)])
    buyer_ids = list(Buyer.objects.filter(store=store).order_by("id").values_list("id", flat=True))
    # Every buyer once, and the first buyers again: the duplicates race against their own first attempt.
    attempts = buyer_ids + buyer_ids[:DUPLICATE_ATTEMPTS]
    go = threading.Event()

    def attempt(buyer_id: int) -> str:
        try:
            go.wait(timeout=30)
            fresh_coupon = Coupon.objects.get(pk=coupon.pk)
            buyer = Buyer.objects.get(pk=buyer_id)
            try:
                services.coupon_grant(coupon=fresh_coupon, buyer=buyer, source="campaign")
            except ApplicationError as error:
                message = error.errors["coupon_id"][0]
                return (
                    "duplicate"
                    if "already has" in message
                    else "sold_out"
                    if "sold out" in message
                    else message
                )
            return "granted"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(attempt, buyer_id) for buyer_id in attempts]
        go.set()
        outcomes = Counter(f.result() for f in futures)

    coupon.refresh_from_db()
    grants = list(CouponGrant.objects.filter(coupon=coupon).values_list("buyer_id", flat=True))
    assert outcomes["granted"] == QUANTITY
    assert set(outcomes) <= {"granted", "sold_out", "duplicate"}, outcomes
    assert outcomes["granted"] + outcomes["sold_out"] + outcomes["duplicate"] == BUYERS + DUPLICATE_ATTEMPTS
    assert coupon.granted_count == QUANTITY
    assert len(grants) == QUANTITY
    assert len(set(grants)) == QUANTITY
