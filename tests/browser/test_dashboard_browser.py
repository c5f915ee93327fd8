"""The response-rate dashboard in a real browser: numbers and chart render, a bucket drills down (R20)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conversations.models import Message, ReplyWait
from conversations.services import reply_send
from reports import selectors as metrics
from reports.views import _percent
from tests.factories import make_buyer, make_inbound, make_member, make_store

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

BUYERS = [
    ("Olga Smirnova", "RU", "ru_RU"),
    ("Lucas Oliveira", "BR", "pt_BR"),
    ("Fatima Al-Harbi", "SA", "ar_SA"),
    ("Carmen López", "ES", "es_ES"),
    ("Noa Levi", "IL", "he_IL"),
    ("Minji Park", "KR", "ko_KR"),
    ("Piotr Nowak", "PL", "pl_PL"),
    ("Claire Martin", "FR", "fr_FR"),
    ("James Carter", "US", "en_US"),
]
# Minutes to the first reply, cycled over the demo waits: mostly fast, some slow, a few late.
REPLY_MINUTES = [12, 45, 95, 30, 200, 8, 380, 620, 25, 1100, 55, 1700, 140, 18, 70, 3, 260, 900, 40, 1500, 22]


@pytest.fixture
def chromium_page(chromium_browser):
    page = chromium_browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def demo_waits(store, agent, *, days: int = 30) -> None:
    """Demo-like traffic: 2–7 buyer messages a day, most answered quickly, some late, a few overdue or waiting."""
    now = timezone.now()
    channels = ["message", "chat", "comment"]
    n = 0
    for day_back in range(days - 1, -1, -1):
        per_day = 2 + (day_back * 7) % 6
        for k in range(per_day):
            opened = now - timedelta(days=day_back, hours=1 + k * 3, minutes=(n * 17) % 60)
            name, country, locale = BUYERS[n % len(BUYERS)]
            buyer = make_buyer(store, name=name, country=country, locale=locale)  # one conversation per wait
            result = make_inbound(
                store, buyer=buyer, channel=channels[n % 3], sent_at=opened, text="Where is my order?"
            )
            n += 1
            if (day_back in (6, 13) and k == 0) or (day_back == 0 and k < 2):
                continue  # left unanswered: overdue (old) or still within its 24 hours (today)
            minutes = REPLY_MINUTES[n % len(REPLY_MINUTES)] + (400 if day_back in (9, 10) else 0)
            closed = opened + timedelta(minutes=minutes)
            if closed > now:
                continue
            reply = reply_send(
                conversation=result.conversation, acting_user=agent, text="Thank you, it is on its way."
            )
            Message.objects.filter(pk=reply.pk).update(created_at=closed)
            ReplyWait.objects.filter(opened_by=result.message).update(closed_at=closed)


def test_dashboard_renders_chart_and_numbers_and_drills_down(live_server, transactional_db, chromium_page):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, role="owner", username="owner", password="owner-pass-1")
    agent = make_member(store, role="agent", username="agent1")
    demo_waits(store, agent)
    data = metrics.response_rate(store=store, days=30)
    page = chromium_page

    page.goto(f"{live_server.url}/login/?next=/dashboard/")
    page.fill("#id_username", "owner")
    page.fill("#id_password", "owner-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))

    assert page.inner_text("[data-testid=rate]") == _percent(data["rate"])
    assert page.inner_text("[data-testid=within-count]") == str(data["answered_within_24h"])
    assert page.inner_text("[data-testid=total-count]") == str(data["total"])
    days_with_rate = sum(1 for d in data["daily"] if d["rate"] is not None)
    assert page.locator("svg.chart rect.bar:not(.pending)").count() == days_with_rate
    assert page.locator("svg.chart .target").count() == 1
    assert page.text_content("svg.chart .target-label") == "90% target"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    expected = data["distribution"]["8_24h"]
    page.click("a.hbar[data-bucket='8_24h']")
    page.wait_for_url(re.compile(r"bucket=8_24h"))
    assert page.inner_text("[data-testid=waits-count]") == str(expected)
    assert page.locator("[data-testid=waits-table] tbody tr").count() == min(expected, 100)
    assert page.locator("[data-testid=waits-table] a", has_text="Open thread").count() == min(expected, 100)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-waits.png"), full_page=True)

    page.click("text=← Response rate dashboard")
    page.click(".seg a:has-text('7 days')")
    page.wait_for_url(re.compile(r"days=7"))
    week = metrics.response_rate(store=store, days=7)
    assert page.locator("svg.chart rect.hit").count() == 7
    assert page.inner_text("[data-testid=rate]") == _percent(week["rate"])
