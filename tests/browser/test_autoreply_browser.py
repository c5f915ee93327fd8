"""Auto-reply in a real browser: the owner sets it up, a buyer gets the welcome card and taps a keyword,
and the conversation still waits for an agent in the seller's queue."""

import pytest

from autoreply.models import AutoReplySettings, Keyword
from conversations.models import Conversation, ConversationStatus, Message
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_member, make_store
from tests.test_autoreply import make_coupon

pytestmark = [pytest.mark.browser]

WELCOME = (
    "Hi, thanks for writing to Aurora Home Goods! Tap a question below for an instant answer, "
    "or write yours: an agent replies within 24 hours."
)
KEYWORDS = [
    (
        "When will my order ship?",
        "Orders ship within 3 working days of payment; you get the tracking number by message.",
    ),
    ("Is my package safe?", "Yes. Every parcel is sealed at our warehouse and tracked until it reaches you."),
]
COUPON_KEYWORD = "A coupon for waiting"


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olga", role="owner")
    return store


def test_owner_turns_auto_reply_on_buyer_taps_a_keyword_and_the_chat_still_needs_a_reply(
    desk, browser_page, browser_login, expect
):
    coupon = make_coupon(desk, suffix="-Thanks for waiting")
    buyer = make_buyer(desk, name="Emma Wilson", country="US", locale="en_US")

    page = browser_login(browser_page, "olga", next_url="/autoreply/")
    expect(page.locator(".mainnav a.active")).to_have_text("Auto-reply")
    expect(page.locator("#ar-preview-off")).to_be_visible()
    page.click("label.ar-switch")
    expect(page.locator(".ar-state")).to_have_text("On")
    page.fill("#ar-welcome", WELCOME)
    expect(page.locator("#ar-welcome-check")).to_contain_text("No banned words")

    rows = page.locator("#ar-rows > .ar-row")
    expect(rows).to_have_count(3)
    for i, (keyword, reply) in enumerate(KEYWORDS):
        rows.nth(i).locator(".ar-keyword").fill(keyword)
        rows.nth(i).locator("textarea[name$='-text']").fill(reply)
    third = rows.nth(2)
    third.locator(".ar-keyword").fill(COUPON_KEYWORD)
    third.locator("label.ar-type", has_text="Coupon").click()
    expect(third.locator('.ar-reply[data-type="coupon"]')).to_be_visible()
    expect(third.locator('.ar-reply[data-type="text"]')).to_be_hidden()
    third.locator("select").select_option(str(coupon.pk))

    preview = page.locator("#ar-preview-welcome")
    expect(preview.locator("#ar-preview-text")).to_have_text(WELCOME)
    expect(preview.locator(".ar-chip")).to_have_text([KEYWORDS[0][0], KEYWORDS[1][0], COUPON_KEYWORD])
    preview.locator(".ar-chip", has_text=KEYWORDS[0][0]).click()
    expect(page.locator("#ar-preview-answer")).to_contain_text(KEYWORDS[0][1])
    expect(page.locator("#ar-rows-status")).to_have_text("3 keywords on the card.")

    page.click("#ar-add")
    expect(rows).to_have_count(4)
    expect(page.locator("#ar-rows-status")).to_contain_text("3 keywords on the card.")
    rows.nth(3).locator(".ar-remove").click()
    expect(rows).to_have_count(3)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "autoreply.png"), full_page=True)

    page.click("#ar-save")
    expect(page.locator(".flash")).to_contain_text("Auto-reply saved: on, with 3 keywords.")
    config = AutoReplySettings.objects.get(store=desk)
    assert (config.enabled, config.welcome_text) == (True, WELCOME)
    assert [(k.keyword, k.reply_type) for k in Keyword.objects.filter(store=desk, removed_at=None)] == [
        (KEYWORDS[0][0], "text"),
        (KEYWORDS[1][0], "text"),
        (COUPON_KEYWORD, "coupon"),
    ]

    page.goto(f"/simulator/{buyer.external_id}/")
    page.fill("#buyer-text", "Hello, I ordered a lamp last week. Is it on its way?")
    page.click("#buyer-send")
    welcome = page.locator("#chat-messages .chat-msg.theirs", has_text="thanks for writing")
    expect(welcome).to_have_count(1)
    expect(welcome.locator(".push-label")).to_have_text("Automatic reply")
    expect(welcome.locator(".kw-tap")).to_have_text([KEYWORDS[0][0], KEYWORDS[1][0], COUPON_KEYWORD])

    welcome.locator(".kw-tap", has_text=KEYWORDS[1][0]).click()
    answer = page.locator("#chat-messages .chat-msg.theirs", has_text=KEYWORDS[1][1])
    expect(answer).to_have_count(1)
    welcome.locator(".kw-tap", has_text=COUPON_KEYWORD).click()
    expect(page.locator("#chat-messages .chat-msg.theirs .coupon-card")).to_contain_text(
        "DDWL-Thanks for waiting"
    )
    expect(page.locator("#card-click-status")).to_be_empty()
    page.screenshot(path=str(SCREENSHOTS / "autoreply-buyer.png"), full_page=True)

    conversation = Conversation.objects.get(store=desk, buyer=buyer)
    assert conversation.status == ConversationStatus.NEEDS_REPLY
    assert list(Message.objects.filter(conversation=conversation).values_list("sender", flat=True)) == [
        "buyer",
        "autoreply",
        "autoreply",
        "autoreply",
    ]

    page.goto("/inbox/")
    row = page.locator(f'.qrow[data-id="{conversation.pk}"]')
    expect(row).to_contain_text("Emma Wilson")
    expect(row.locator(".qdue")).to_be_visible()
