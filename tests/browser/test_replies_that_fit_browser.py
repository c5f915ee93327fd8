"""Issue 13 in a real browser: "no scenario fits" for an off-topic message, dated scripts flagged when they
are inserted, and the advice-to-buyer label (docs/reply-assist.md, docs/suggestion.md)."""

import re

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_reply_assist_browser import SUGGESTIONS_TIMEOUT_MS, desk, open_conversation  # noqa: F401
from tests.factories import make_buyer, make_inbound, make_order

pytestmark = [pytest.mark.browser]


def test_an_agent_opening_an_off_topic_message_sees_that_no_scenario_fits(
    desk,  # noqa: F811
    browser_page,
    browser_login,
    expect,
):
    buyer = make_buyer(desk, name="Amy Clark", country="US", locale="en_US")
    order = make_order(desk, buyer, status="awaiting_payment", days_ago=1)
    conversation = make_inbound(desk, order=order, text="do you have it in blue?").conversation

    page = browser_login(browser_page, "anna")
    open_conversation(page, conversation, expect)
    nofit = page.locator("#ra-nofit")
    expect(nofit).to_be_visible(timeout=SUGGESTIONS_TIMEOUT_MS)
    expect(nofit).to_contain_text("No official scenario fits this message.")
    expect(page.locator(".ra-sugg.weak")).to_have_count(3)
    expect(page.locator(".ra-sugg.fits")).to_have_count(0)
    expect(page.locator(".ra-sugg.on")).to_have_count(0)
    expect(page.locator("#reply-text")).to_have_value("")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reply-no-fit.png"))


def test_the_extend_protection_suggestion_is_labelled_advice_to_buyer(
    desk,  # noqa: F811
    browser_page,
    browser_login,
    expect,
):
    buyer = make_buyer(desk, name="Noa Levi", country="IL", locale="he_IL")
    order = make_order(desk, buyer, status="in_transit", days_ago=40)
    conversation = make_inbound(
        desk, order=order, text="אפשר להאריך את ההגנה על ההזמנה? עוד לא הגיע"
    ).conversation

    page = browser_login(browser_page, "anna")
    open_conversation(page, conversation, expect)
    first = page.locator(".ra-sugg").first
    expect(first).to_be_visible(timeout=SUGGESTIONS_TIMEOUT_MS)
    expect(first).to_have_attribute("data-code", "extend_protection")
    expect(first).to_have_class(re.compile(r"\bfits\b"))
    expect(first.locator(".ra-kind.advice")).to_have_text("Advice to buyer")


def test_inserting_the_shipping_delay_script_in_december_flags_its_dates_until_confirmed(
    desk,  # noqa: F811
    browser_page,
    browser_login,
    expect,
):
    from django.utils import timezone

    assert timezone.localdate().month not in (1, 2), "the seed's holiday period must be over for this test"
    buyer = make_buyer(desk, name="Lucía Gómez", country="ES", locale="es_ES")
    order = make_order(desk, buyer, status="awaiting_shipment", days_ago=14)
    conversation = make_inbound(
        desk, order=order, text="ya pagué hace 2 semanas y todavía no lo envían, ¿qué pasa?"
    ).conversation

    page = browser_login(browser_page, "anna")
    open_conversation(page, conversation, expect)
    first = page.locator(".ra-sugg").first
    expect(first).to_be_visible(timeout=SUGGESTIONS_TIMEOUT_MS)
    expect(first).to_have_attribute("data-code", "shipping_delay")
    first.click()
    expect(page.locator("#reply-text")).to_have_value(re.compile("19 de enero PT hasta el 18 de febrero"))
    mark = page.locator(".ra-date-mark[data-past]")
    expect(mark).to_have_text("19 de enero PT hasta el 18 de febrero")
    expect(page.locator(".ra-date.past .ra-date-why")).to_contain_text("is a period that ended on 18 Feb")
    expect(page.locator(".ra-date-mark.note")).to_have_text("Fiesta de Primavera")
    send = page.locator("#reply-send")
    expect(send).to_be_disabled()
    expect(page.locator("#ra-gate")).to_contain_text(
        "edit or confirm the past date “19 de enero PT hasta el 18 de febrero”"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reply-dates.png"))
    page.locator("#ra-dates-confirm").click()
    expect(send).to_be_enabled()
    expect(page.locator(".ra-check.dates-confirmed")).to_have_count(1)
