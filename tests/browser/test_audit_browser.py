from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from autoreply.services import autoreply_settings_update
from coupons.services import coupon_create
from marketplace.services import dispute_open
from seller_desk.services import (
    disputes_escalate_due,
    member_invite,
    member_remove,
    member_role_change,
    platform_admin_create,
    protection_extend,
)
from templates_i18n.services import banned_word_create, banned_word_update, official_scenario_update
from tests.factories import make_member, make_order, make_store

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KEYWORDS = [
    {"keyword": "Is my order shipping?", "reply_type": "text", "text": "Orders ship within 3 days."},
    {"keyword": "Delivery and logistics", "reply_type": "text", "text": "Tracking updates every 2 days."},
    {"keyword": "How to cancel", "reply_type": "text", "text": "Tap Cancel order before it ships."},
]


def _history(store, owner):
    """One change of every kind the audit log must show."""
    admin = platform_admin_create(username="platform-root", password="pass-word-1")
    ana = member_invite(store=store, acting_user=owner, username="ana", password="pass-word-1", role="agent")
    member_role_change(store=store, acting_user=owner, membership_id=ana.pk, role="owner")
    temp = member_invite(
        store=store, acting_user=owner, username="temp", password="pass-word-1", role="agent"
    )
    member_remove(store=store, acting_user=owner, membership_id=temp.pk)
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text="Welcome to Aurora!", keywords=KEYWORDS
    )
    word = banned_word_create(acting_user=admin, term="calamity", suggestion="delay")
    banned_word_update(acting_user=admin, banned_word=word, suggestion="hold-up")
    official_scenario_update(
        acting_user=admin, code="order_eta", texts={"en": "Your order arrives in about {days} days."}
    )
    now = timezone.now()
    order = make_order(
        store, days_ago=40, shipped_at=now - timedelta(days=30), protection_ends_at=now + timedelta(days=30)
    )
    protection_extend(store=store, order=order, days=15, acting_user=owner)
    dispute_open(
        store=store,
        dispute_id="D-2207",
        order_id=order.external_id,
        opened_at=now - timedelta(days=16),
        reason="Item not received",
        refund_amount=Decimal("12.00"),
        return_goods=False,
        description="",
    )
    disputes_escalate_due()
    coupon_create(
        store=store,
        acting_user=owner,
        values={
            "name_suffix": "Winter",
            "denomination": "5",
            "threshold": "30",
            "currency": "USD",
            "quantity": 100,
            "valid_until": (now + timedelta(days=40)).date().isoformat(),
        },
    )


@pytest.mark.browser
def test_owner_reads_the_audit_log_and_filters_it(transactional_db, browser_page, browser_login, expect):
    store = make_store(name="Aurora Home Goods")
    owner = make_member(store, role="owner", username="olga")
    _history(store, owner)
    page = browser_login(browser_page, "olga", next_url="/audit/")
    kinds = set(page.locator("#audit-events tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)"))
    assert {
        "member.added",
        "member.role_changed",
        "member.removed",
        "autoreply.updated",
        "banned_word.added",
        "banned_word.edited",
        "scenario.edited",
        "order.protection_extended",
        "dispute.opened",
        "dispute.escalated",
        "coupon.created",
    } <= kinds
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "audit.png"), full_page=True)

    page.select_option("select[name=kind]", "member.*")
    page.click("text=Filter")
    page.wait_for_url("**kind=member.*")
    rows = page.locator("#audit-events tbody tr")
    expect(rows).to_have_count(5)
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.kind)")) == {
        "member.added",
        "member.role_changed",
        "member.removed",
    }
