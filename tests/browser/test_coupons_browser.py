"""DDWL coupons in a real browser: the owner sets one up with live guidance, an agent sends it, the buyer sees it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coupons import services
from coupons.models import Coupon, CouponGrant, CouponRedemption
from seller_desk.selectors import store_local_date
from tests.browser.conftest import SCREENSHOTS, VIEWPORT
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olga", role="owner")
    make_member(store, username="anna", role="agent")
    return store


def _history(store, coupon, today):
    """Past grants and redemptions so the detail chart has something to show."""
    services.coupon_update(coupon=coupon, acting_user=None, changes={"quantity": 40})
    Coupon.objects.filter(pk=coupon.pk).update(
        activity_start=today - timedelta(days=10), valid_from=today - timedelta(days=10)
    )
    now = timezone.now()
    for i, (days_ago, redeemed) in enumerate([(9, True), (9, False), (8, True), (6, False), (5, True), (5, False),
                                              (4, False), (3, True), (2, False), (1, False)]):  # fmt: skip
        buyer = make_buyer(store, name=f"Buyer {i + 1}", country="US", locale="en_US")
        grant = services.coupon_grant(coupon=coupon, buyer=buyer, source="campaign")
        CouponGrant.objects.filter(pk=grant.pk).update(granted_at=now - timedelta(days=days_ago))
        if redeemed:
            order = make_order(
                store, buyer, coupon_code=coupon.code, amount=Decimal("64.00"), days_ago=days_ago - 1
            )
            services.coupon_redemptions_record(store=store, orders=[order])


def test_owner_sets_up_a_coupon_agent_sends_it_buyer_sees_the_card(
    desk, browser_page, browser_login, chromium_browser, live_server, expect
):
    today = store_local_date(desk)
    for days_ago in (3, 5, 8, 12, 20, 25, 40):
        make_order(desk, amount=Decimal("58.00"), days_ago=days_ago)
    olga_buyer = make_buyer(desk, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(desk, olga_buyer, status="awaiting_shipment", days_ago=9)
    conversation = make_inbound(
        desk, order=order, text="Hello, my order has not shipped yet. Any news?"
    ).conversation

    page = browser_login(browser_page, "olga", next_url="/coupons/new/")
    expect(page.locator(".cp-name-input .cp-fixed")).to_have_text("DDWL")
    page.fill("#id_name_suffix", "-Spring retention")
    page.fill("#id_denomination", "10")
    page.fill("#id_threshold", "20")
    rate = page.locator('[data-testid="discount-rate"]')
    expect(rate).to_contain_text("50%")
    expect(page.locator(".cp-warning")).to_contain_text("30% or more")
    expect(page.locator('[data-testid="name-preview"]')).to_have_text("DDWL-Spring retention")

    since = (today - timedelta(days=30)).isoformat()
    page.fill("#id_orders_since", since)
    page.click("#suggest-quantity")
    # 7 orders in the last 30 days (Olga's included, the 40-day-old one not) × 1.2 = 8.4, rounded up
    expect(page.locator('[data-testid="suggested"]')).to_have_text("9")
    page.click("button.cp-use")
    expect(page.locator("#id_quantity")).to_have_value("9")
    page.fill("#id_valid_until", (today + timedelta(days=60)).isoformat())
    page.locator("#id_threshold").focus()
    page.wait_for_timeout(400)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coupon-form.png"), full_page=True)

    page.fill("#id_threshold", "50")
    expect(rate).to_contain_text("20%")
    expect(page.locator(".cp-warning")).to_have_count(0)
    expect(page.locator(".cp-ok")).to_contain_text("Under 30%")
    page.click("button[name=save][value=submit]")
    expect(page).to_have_url(re.compile(r"/coupons/\d+/$"))
    coupon = Coupon.objects.get(store=desk)
    assert (coupon.name, coupon.denomination, coupon.threshold, coupon.quantity) == (
        "DDWL-Spring retention",
        Decimal("10.00"),
        Decimal("50.00"),
        9,
    )
    expect(page.locator('[data-testid="granted"]')).to_contain_text("0")

    agent_context = chromium_browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-US")
    agent_context.set_default_timeout(10_000)
    try:
        agent = browser_login(agent_context.new_page(), "anna", next_url=f"/inbox/{conversation.id}/")
        agent.fill("#reply-text", "We are sorry for the wait. Here is a coupon for your next order.")
        agent.select_option("select[name=coupon_id]", value=str(coupon.pk))
        agent.click("#reply-send")
        expect(agent.locator("#thread-messages .msg.from-seller .coupon-card")).to_contain_text(
            "DDWL-Spring retention"
        )

        buyer_tab = agent_context.new_page()
        buyer_tab.goto(f"/simulator/{olga_buyer.external_id}/")
        card = buyer_tab.locator("#chat-messages .chat-msg.theirs .coupon-card")
        expect(card).to_contain_text("DDWL-Spring retention")
        expect(card).to_contain_text("10.00")
    finally:
        agent_context.close()

    grant = CouponGrant.objects.get(coupon=coupon)
    assert (grant.buyer, grant.granted_by.username, grant.source) == (olga_buyer, "anna", "reply")

    _history(desk, coupon, today)
    order_with_coupon = make_order(
        desk, olga_buyer, coupon_code=coupon.code, amount=Decimal("72.50"), days_ago=0
    )
    services.coupon_redemptions_record(store=desk, orders=[order_with_coupon])
    page.reload()
    expect(page.locator('[data-testid="granted"]')).to_contain_text("11 / 40")
    expect(page.locator('[data-testid="redeemed"]')).to_have_text("5")
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 5
    page.screenshot(path=str(SCREENSHOTS / "coupon-detail.png"), full_page=True)

    page.goto("/coupons/")
    expect(page.locator(".cp-table tbody tr")).to_have_count(1)
    expect(page.locator(".cp-table")).to_contain_text("11 / 40")
    page.screenshot(path=str(SCREENSHOTS / "coupon-list.png"), full_page=True)
