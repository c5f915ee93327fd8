"""Dispute figures on the dashboard and the auto-reply tap report in a real browser (issue 12, points 3 and 6)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from autoreply.models import Keyword, KeywordClick
from autoreply.services import autoreply_settings_update, card_click_answer
from conversations.models import Message
from seller_desk.models import Dispute
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olga", role="owner")
    return store


def _disputes(store):
    now = timezone.now()
    plan = [  # (days ago opened, status, days to agreement)
        (1, "open", None),
        (2, "proposed", None),
        (4, "rejected", None),
        (5, "agreed", 2),
        (8, "agreed", 3),
        (11, "open", None),
        (17, "escalated", None),
        (20, "agreed", 1),
        (26, "escalated", None),
    ]
    for n, (ago, status, to_agreement) in enumerate(plan):
        order = make_order(store, days_ago=ago + 20, shipped_at=now - timedelta(days=ago + 10))
        opened = now - timedelta(days=ago, hours=n)
        Dispute.objects.create(
            store=store,
            order=order,
            external_id=f"AE-{7700 + n}",
            opened_at=opened,
            reason=["Item not received", "Item damaged", "Not as described"][n % 3],
            refund_amount=Decimal("12.00") + n,
            status=status,
            escalates_at=opened + timedelta(days=15),
            agreed_at=opened + timedelta(days=to_agreement) if to_agreement else None,
            escalated_at=opened + timedelta(days=15) if status == "escalated" else None,
        )
    for ago in range(30):  # shipped orders without disputes
        make_order(store, days_ago=ago + 3, shipped_at=now - timedelta(days=ago, hours=2))


def test_the_dashboard_shows_dispute_figures_and_a_number_drills_down(
    desk, browser_page, browser_login, expect
):
    _disputes(desk)
    page = browser_login(browser_page, "olga", next_url="/dashboard/?days=30")
    figures = page.locator("#dispute-figures")
    cards = figures.locator(".dispute-cards li")
    expect(cards).to_have_count(5)
    expect(cards.nth(0)).to_contain_text("4")  # open now: open, proposed, rejected, open
    expect(cards.nth(0)).to_contain_text("Open")
    expect(cards.nth(2)).to_contain_text("3")  # agreed
    expect(cards.nth(3)).to_contain_text("2")  # (2 + 3 + 1) / 3 days
    expect(figures.locator("svg .dispute-bar")).to_have_count(9)
    figures.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    figures.screenshot(path=str(SCREENSHOTS / "dashboard-disputes.png"))
    cards.nth(0).locator("a").click()
    rows = page.locator("#dispute-rows tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("h1")).to_contain_text("Open now")


def test_the_tap_report_charts_cards_shown_and_taps_per_keyword(desk, browser_page, browser_login, expect):
    owner = make_member(desk, role="owner")
    autoreply_settings_update(
        store=desk,
        acting_user=owner,
        enabled=True,
        welcome_text="Hi! Tap a question below or write yours.",
        keywords=[
            {"keyword": "When will my order ship?", "reply_type": "text", "text": "Within 3 days."},
            {"keyword": "Is my package safe?", "reply_type": "text", "text": "Yes, sealed and tracked."},
            {"keyword": "How do I cancel?", "reply_type": "text", "text": "Open the order and tap Cancel."},
        ],
    )
    keywords = list(Keyword.objects.filter(store=desk).order_by("position"))
    now = timezone.now()
    for n in range(14):
        buyer = make_buyer(desk, name=f"Buyer {n}")
        make_inbound(desk, buyer=buyer, text="Hello", channel="chat")
        for k in keywords[: 1 + n % 3]:
            card_click_answer(store=desk, buyer=buyer, keyword_id=k.pk)
    # Spread the history over the last two weeks (cards and taps of buyer n on day n).
    for n, reply in enumerate(Message.objects.filter(store=desk, sender="autoreply").order_by("id")):
        Message.objects.filter(pk=reply.pk).update(created_at=now - timedelta(days=n // 3))
    for n, click in enumerate(KeywordClick.objects.filter(store=desk).order_by("id")):
        KeywordClick.objects.filter(pk=click.pk).update(clicked_at=now - timedelta(days=n // 2))

    page = browser_login(browser_page, "olga", next_url="/autoreply/report/?days=30")
    expect(page.locator("[data-testid=tap-chart]")).to_be_visible()
    rows = page.locator("#tap-keywords tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("When will my order ship?")
    expect(rows.first).to_contain_text("14")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "autoreply-report.png"), full_page=True)
