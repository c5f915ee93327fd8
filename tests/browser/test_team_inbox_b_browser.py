"""Team inbox, part B (issue 10) in a real browser: an internal note with an @mention, tags and the tag filter,
search in Arabic, a draft restored after a reload, the thread opening at its newest message and the "new message"
marker when the agent has scrolled up."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from conversations.models import Draft, NoteMention
from conversations.services import note_create, tag_create
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]

# Functions, not expressions: Playwright calls them without eval (the desk's CSP has no 'unsafe-eval').
AT_BOTTOM = "() => { const b = document.querySelector('#thread-messages');"
AT_BOTTOM += " return b.scrollHeight - b.scrollTop - b.clientHeight < 4; }"


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    owner = make_member(store, username="olga", role="owner")
    make_member(store, username="anna", role="agent")
    boris = make_member(store, username="boris", role="agent")
    for name in ("refund", "VIP", "wrong address"):
        tag_create(store=store, acting_user=owner, name=name)
    return {"store": store, "boris": boris}


def _long_thread(store):
    now = timezone.now()
    buyer = make_buyer(store, name="Ольга Смирнова", country="RU", locale="ru_RU")
    order = make_order(store, buyer, status="in_transit", days_ago=14)
    conversation = None
    for i in range(24):
        conversation = make_inbound(
            store,
            order=order,
            text=f"Сообщение {i + 1}: посылка всё ещё не пришла, трек не обновляется уже неделю.",
            sent_at=now - timedelta(hours=30 - i),
        ).conversation
    return conversation, order


def test_notes_tags_search_drafts_and_reading_position(desk, browser_page, browser_login, expect):
    store = desk["store"]
    thread, order = _long_thread(store)
    arabic = make_inbound(
        store,
        buyer=make_buyer(store, name="Fatima Al-Sayed", country="SA", locale="ar_SA"),
        text="مرحبا، أين طلبي؟ لم يصل بعد",
        sent_at=timezone.now() - timedelta(hours=3),
    ).conversation

    page = browser_login(browser_page, "anna")
    page.locator(f'#queue-list .qrow[data-id="{thread.id}"]').click()
    expect(page).to_have_url(re.compile(rf"/inbox/{thread.id}/"))
    # Every panel loaded (reply assist included), and the thread shows its newest message.
    expect(page.locator("#reply-assist .ra-langs")).to_be_visible()
    expect(page.locator("#thread-messages .msg").last).to_be_in_viewport()
    page.wait_for_function(AT_BOTTOM)

    # An internal note with an @mention.
    page.locator('[data-compose="note"]').click()
    expect(page.locator("#note-text")).to_be_focused()
    expect(page.locator("#reply-form")).to_be_hidden()
    page.keyboard.type("@boris the carrier lost it, please approve the refund")
    page.keyboard.press("Control+Enter")
    note = page.locator("#thread-messages .note").last
    expect(note).to_contain_text("Internal note · not sent to the buyer")
    expect(note.locator(".mention")).to_have_text("@boris")
    expect(page.locator("#note-text")).to_have_value("")
    assert NoteMention.objects.filter(user=desk["boris"]).count() == 1

    # A tag on the conversation, shown in its queue row.
    page.locator("#thread-tags select[name=tag]").select_option("refund")
    page.locator("#thread-tags .tag-add button").click()
    expect(page.locator("#thread-tags .tag-chip")).to_have_text(re.compile(r"refund"))
    expect(page.locator(f'#queue-list .qrow[data-id="{thread.id}"] .qtag')).to_have_text("refund")

    # A draft, kept on the server and restored after a reload.
    page.locator('[data-compose="reply"]').click()
    page.locator("#reply-text").fill("Ольга, мы проверили: посылка на таможне, ")
    page.locator("#reply-text").press("End")
    page.keyboard.type("и")
    expect(page.locator("#draft-state")).to_contain_text("Draft saved")
    assert Draft.objects.get().text == "Ольга, мы проверили: посылка на таможне, и"
    page.reload()
    expect(page.locator("#reply-text")).to_have_value("Ольга, мы проверили: посылка на таможне, и")
    expect(page.locator("#draft-state")).to_contain_text("Draft restored")
    expect(page.locator(f'#queue-list .qrow[data-id="{thread.id}"] .qdraft')).to_be_visible()
    page.wait_for_function(AT_BOTTOM)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "team-inbox-note-tags-draft.png"))

    # Scrolled up, a new buyer message shows the marker instead of moving the thread.
    page.evaluate("document.querySelector('#thread-messages').scrollTop = 0")
    page.wait_for_function("() => !window.InboxTeam.isPinned()")
    make_inbound(store, order=order, text="Алло? Есть новости по посылке?")
    marker = page.locator("#new-message-marker")
    expect(marker).to_be_visible(timeout=15_000)
    expect(page.locator("#thread-messages .msg").last).to_contain_text("Есть новости")
    assert page.evaluate("document.querySelector('#thread-messages').scrollTop") < 50
    page.screenshot(path=str(SCREENSHOTS / "team-inbox-new-message-marker.png"))
    marker.click()
    page.wait_for_function(AT_BOTTOM)
    expect(marker).to_be_hidden()

    # The tag filter, then a search in Arabic from the queue's search box.
    page.locator(".queue-filters select[name=tag]").select_option("refund")
    expect(page).to_have_url(re.compile(r"tag=refund"))
    expect(page.locator("#queue-list .qrow")).to_have_count(1)
    expect(page.locator("#queue-list .qrow")).to_have_attribute("data-id", str(thread.id))
    page.locator(".queue-filters select[name=tag]").select_option("")
    page.locator(".queue-filters input[name=q]").fill("طلبي")
    page.locator(".queue-filters input[name=q]").press("Enter")
    expect(page).to_have_url(re.compile(r"q="))
    expect(page.locator("#queue-list .qrow")).to_have_count(1)
    expect(page.locator("#queue-list .qrow")).to_have_attribute("data-id", str(arabic.id))
    page.screenshot(path=str(SCREENSHOTS / "team-inbox-search-arabic.png"))

    # Boris finds the note in his Mentions view.
    boris_page = page.context.browser.new_context(
        viewport={"width": 1440, "height": 900}, base_url=page.url.split("/inbox")[0]
    ).new_page()
    browser_login(boris_page, "boris", next_url="/inbox/mentions/")
    expect(boris_page.locator(".mention-item")).to_contain_text("please approve the refund")
    boris_page.screenshot(path=str(SCREENSHOTS / "team-inbox-mentions.png"))
    boris_page.locator(".mention-item a").first.click()
    expect(boris_page.locator("#thread-messages .note")).to_contain_text("the carrier lost it")
    # A teammate's new note reaches the open thread with the live updates.
    anna = get_user_model().objects.get(username="anna")
    note_create(conversation=thread, acting_user=anna, text="Refund approved by the owner.")
    expect(boris_page.locator("#thread-messages .note").last).to_contain_text(
        "Refund approved", timeout=15_000
    )
    assert boris_page.locator("#thread-messages .note").count() == 2
    boris_page.context.close()


def test_blocking_a_spamming_buyer_takes_them_out_of_the_queue_until_unblocked(
    desk, browser_page, browser_login, expect
):
    store = desk["store"]
    spam = make_inbound(
        store,
        buyer=make_buyer(store, name="Cheap Watches Ltd", country="US", locale="en_US"),
        text="BUY CHEAP WATCHES http://spam.example",
    ).conversation
    real = make_inbound(store, text="Where is my parcel?").conversation
    page = browser_login(browser_page, "anna")
    page.locator(f'#queue-list .qrow[data-id="{spam.id}"]').click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#block-buyer").click()
    expect(page.locator(".blocked-banner")).to_contain_text("Blocked by anna")
    expect(page.locator(f'#queue-list .qrow[data-id="{spam.id}"]')).to_have_count(0)
    expect(page.locator(f'#queue-list .qrow[data-id="{real.id}"]')).to_be_visible()
    make_inbound(store, buyer=spam.buyer, text="BUY MORE WATCHES")
    expect(page.locator("#thread-messages .msg").last).to_contain_text("BUY MORE WATCHES", timeout=15_000)
    expect(page.locator(f'#queue-list .qrow[data-id="{spam.id}"]')).to_have_count(0)
    page.locator('.order-groups [data-group="blocked"]').click()
    expect(page.locator("#queue-list .qrow")).to_have_count(1)
    expect(page.locator("#queue-list .qrow")).to_have_attribute("data-id", str(spam.id))
    page.locator(f'#queue-list .qrow[data-id="{spam.id}"]').click()
    expect(page.locator(".blocked-banner")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "team-inbox-blocked-buyer.png"))
    page.locator("#unblock-buyer").click()
    expect(page.locator(".blocked-banner")).to_have_count(0)
    page.goto("/inbox/")
    expect(page.locator(f'#queue-list .qrow[data-id="{spam.id}"]')).to_be_visible()
