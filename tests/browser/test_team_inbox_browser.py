"""Team inbox, part A (issue 10), in a real browser: two agents in two browser contexts on one conversation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from tests.browser.conftest import SCREENSHOTS, VIEWPORT
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db, settings):
    # A long poll: B's view stays as it was loaded, the stale view the collision guard is for.
    settings.SELLER_DESK = {**settings.SELLER_DESK, "INBOX_POLL_SECONDS": 60}
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="anna", role="agent")
    make_member(store, username="boris", role="agent")
    make_member(store, username="olga", role="owner")
    return store


def _second_context(chromium_browser, live_server):
    context = chromium_browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    return context


def test_two_agents_presence_take_stale_reply_resolve_and_reopen(
    desk, browser_page, browser_login, chromium_browser, live_server, expect
):
    now = timezone.now()
    buyer = make_buyer(desk, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(desk, buyer, status="in_transit", days_ago=12)
    conversation = make_inbound(
        desk, order=order, text="Здравствуйте! Где мой заказ?", sent_at=now - timedelta(hours=5)
    ).conversation
    for i in range(13):
        make_inbound(
            desk, text=f"Question number {i} about my parcel", sent_at=now - timedelta(minutes=30 + i)
        )

    a = browser_login(browser_page, "anna", next_url=f"/inbox/{conversation.pk}/")
    expect(a.locator("#thread-messages")).to_contain_text("Где мой заказ?")

    b_context = _second_context(chromium_browser, live_server)
    b = browser_login(b_context.new_page(), "boris", next_url=f"/inbox/{conversation.pk}/")
    expect(b.locator("#thread-presence")).to_contain_text("anna is viewing")

    # A takes it with the shortcut and answers.
    a.locator("body").click(position={"x": 700, "y": 300})
    a.keyboard.press("a")
    expect(a.locator("#thread-assignee")).to_contain_text("anna")
    a.fill("#reply-text", "Ольга, заказ в пути, он прибудет на этой неделе.")
    a.click("#reply-send")
    expect(a.locator("#thread-messages .msg.from-seller")).to_contain_text("заказ в пути")

    # B, still looking at the old thread, replies: the guard stops it and shows A's reply.
    b.fill("#reply-text", "Добрый день! Проверяем ваш заказ.")
    b.click("#reply-send")
    dialog = b.locator("#stale-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("заказ в пути")
    expect(b.locator("#reply-text")).to_have_value("Добрый день! Проверяем ваш заказ.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    b.screenshot(path=str(SCREENSHOTS / "team-inbox-stale-reply.png"))
    b.click("[data-stale-cancel]")
    expect(dialog).to_be_hidden()
    assert conversation.messages.filter(sender="agent").count() == 1

    # A resolves it; the buyer writes again through the marketplace and it is back in A's queue.
    a.click("#resolve-btn")
    expect(a.locator("#thread-team .status-chip.resolved")).to_be_visible()
    make_inbound(desk, order=order, text="Спасибо! А можно поменять адрес?")
    conversation.refresh_from_db()
    assert (conversation.inbox_state, conversation.assignee.username) == ("open", "anna")
    a.goto("/inbox/?queue=mine")
    row = a.locator(f'#queue-list .qrow[data-id="{conversation.pk}"]')
    expect(row).to_contain_text("anna")
    expect(row).to_contain_text("Спасибо!")
    a.screenshot(path=str(SCREENSHOTS / "team-inbox-mine.png"))
    b_context.close()


def test_density_queue_rows_and_thread_height_with_reply_assist_open(
    desk, browser_page, browser_login, expect
):
    now = timezone.now()
    first = None
    for i in range(16):
        buyer = make_buyer(desk, name=f"Buyer {i:02d}", country="PL", locale="pl_PL")
        result = make_inbound(
            desk,
            buyer=buyer,
            text=f"Dzień dobry, gdzie jest paczka {i}?",
            sent_at=now - timedelta(minutes=5 + i),
        )
        first = first or result.conversation
    for i in range(6):
        make_inbound(
            desk, buyer=first.buyer, text=f"Kolejna wiadomość {i}", sent_at=now - timedelta(minutes=4 - i / 2)
        )
    page = browser_login(browser_page, "olga", next_url=f"/inbox/{first.pk}/")
    expect(page.locator("#assist-fold")).to_have_attribute("open", "")
    expect(page.locator("#reply-assist")).not_to_be_empty()
    expect(page.locator("#reply-assist .ra-sugg-title").first).to_be_visible()
    visible = page.evaluate(
        """() => {
          const list = document.querySelector('#queue-list').getBoundingClientRect();
          return [...document.querySelectorAll('#queue-list .qrow')].filter((r) => {
            const b = r.getBoundingClientRect();
            return b.top >= list.top - 1 && b.bottom <= Math.min(list.bottom, window.innerHeight) + 1;
          }).length;
        }"""
    )
    share = page.evaluate(
        """() => document.querySelector('#thread-messages').getBoundingClientRect().height /
                 document.querySelector('.thread-pane').getBoundingClientRect().height"""
    )
    page.screenshot(path=str(SCREENSHOTS / "team-inbox-density.png"))
    assert visible >= 10, visible
    assert share >= 0.6, share
    page.click("#assist-fold > summary")
    expect(page.locator("#assist-fold")).not_to_have_attribute("open", re.compile(".*"))
    assert Conversation.objects.filter(store=desk).count() == 16


def test_bulk_resolve_from_the_queue_and_the_agent_report(desk, browser_page, browser_login, expect):
    from conversations.services import reply_send
    from seller_desk.models import Membership

    now = timezone.now()
    anna = Membership.objects.get(store=desk, user__username="anna").user
    boris = Membership.objects.get(store=desk, user__username="boris").user
    rows = []
    for i in range(5):
        conversation = make_inbound(
            desk, text=f"Parcel question {i}", sent_at=now - timedelta(hours=2 + i * 7)
        ).conversation
        rows.append(conversation)
        reply_send(conversation=conversation, acting_user=anna if i % 2 else boris, text="It ships today.")
    spam = [make_inbound(desk, text=f"BUY CHEAP {i}").conversation for i in range(2)]
    page = browser_login(browser_page, "olga", next_url="/inbox/")
    for conversation in spam:
        page.check(f'.qcheck[value="{conversation.pk}"]')
    expect(page.locator("#bulk-form")).to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    page.select_option("#bulk-action", "resolve")
    page.click("#bulk-form button[type=submit]")
    expect(page.locator('#queue-tabs [data-queue="resolved"] .count')).to_have_text("2")
    assert set(
        Conversation.objects.filter(pk__in=[c.pk for c in spam]).values_list("inbox_state", flat=True)
    ) == {"resolved"}
    page.goto("/dashboard/?days=7")
    card = page.locator("#agents")
    expect(card.locator('tr[data-agent="anna"]')).to_contain_text("2")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(SCREENSHOTS / "team-inbox-agent-report.png"))
