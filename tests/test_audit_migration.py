"""The three event tables (order, coupon, campaign events) move into the one audit log: every row, with its
store, actor, kind, subject, data and time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("seller_desk", "0003_delete_cascades"),
    ("coupons", "0002_code_events_and_limits"),
    ("campaigns", "0001_batch_campaigns"),
]
AFTER = [
    ("seller_desk", "0004_audit_log"),
    ("coupons", "0003_events_into_audit_log"),
    ("campaigns", "0002_events_into_audit_log"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_event_rows_are_moved_into_the_audit_log_nothing_lost():
    old = _migrate(BEFORE)
    Store = old.get_model("seller_desk", "Store")
    Buyer = old.get_model("seller_desk", "Buyer")
    Order = old.get_model("seller_desk", "Order")
    OrderEvent = old.get_model("seller_desk", "OrderEvent")
    Coupon = old.get_model("coupons", "Coupon")
    CouponEvent = old.get_model("coupons", "CouponEvent")
    Campaign = old.get_model("campaigns", "Campaign")
    CampaignEvent = old.get_model("campaigns", "CampaignEvent")
    User = old.get_model("auth", "User")
    now = timezone.now()
    when = now - timedelta(days=3)
    try:
        user = User.objects.create(username="migrating-owner")
        store = Store.objects.create(name="Old", slug="old", tier="advanced", integration_token_hash="x" * 64)
        buyer = Buyer.objects.create(store=store, external_id="B1")
        order = Order.objects.create(
            store=store,
            buyer=buyer,
            external_id="O-1",
            status="in_transit",
            placed_at=now,
            amount=5,
            currency="USD",
        )
        coupon = Coupon.objects.create(
            store=store,
            name_suffix="Winter",
            code="DDWL-AAAA-BBBB",
            denomination=5,
            quantity=10,
            activity_start=now.date(),
            activity_end=(now + timedelta(days=10)).date(),
            valid_from=now.date(),
            valid_until=(now + timedelta(days=10)).date(),
        )
        campaign = Campaign.objects.create(store=store, name="Comeback", scenario="retention", text="Hi")
        OrderEvent.objects.create(
            store=store, order=order, kind="protection_extended", actor=user, data={"days": 15}
        )
        OrderEvent.objects.filter(kind="protection_extended").update(created_at=when)
        CouponEvent.objects.create(
            store=store, coupon=coupon, kind="created", actor=user, data={"quantity": 10}
        )
        CampaignEvent.objects.create(store=store, campaign=campaign, kind="batch", data={"sent": 500})

        new = _migrate(AFTER)
        AuditEvent = new.get_model("seller_desk", "AuditEvent")
        rows = {
            e.kind: e
            for e in AuditEvent.objects.filter(store_id=store.pk).exclude(kind__startswith="member.")
        }
        assert sorted(rows) == ["campaign.batch", "coupon.created", "order.protection_extended"]
        extended = rows["order.protection_extended"]
        assert (extended.subject_type, extended.subject_id, extended.subject_label) == (
            "order",
            str(order.pk),
            "O-1",
        )
        assert (extended.actor_id, extended.details, extended.created_at) == (user.pk, {"days": 15}, when)
        created = rows["coupon.created"]
        assert (created.subject_id, created.subject_label, created.details) == (
            str(coupon.pk),
            "DDWLWinter",
            {"quantity": 10},
        )
        assert (rows["campaign.batch"].subject_label, rows["campaign.batch"].actor_id) == ("Comeback", None)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
