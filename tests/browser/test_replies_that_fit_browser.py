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
    expect(page.locator(".ra-date.past .ra-date-why")).to_contain_text("is a period that ended on Feb 18")
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


def test_a_store_template_with_a_korean_version_is_suggested_to_a_korean_buyer_and_the_pick_recorded(
    desk,  # noqa: F811
    browser_page,
    browser_login,
    expect,
):
    from templates_i18n.models import ScenarioPick
    from templates_i18n.services import store_template_create
    from tests.factories import make_member

    owner = make_member(desk, username="olive", role="owner")
    template = store_template_create(
        store=desk,
        acting_user=owner,
        title="Gift wrapping: can you wrap it as a present?",
        texts={
            "en": "Yes, we can gift-wrap your order for free. Tell us the message for the card.",
            "ko": "네, 주문하신 상품을 무료로 선물 포장해 드릴 수 있습니다. 카드에 넣을 메시지를 알려 주세요.",
        },
    )
    buyer = make_buyer(desk, name="Kim Minji", country="KR", locale="ko_KR")
    order = make_order(desk, buyer, status="awaiting_shipment", days_ago=1)
    conversation = make_inbound(desk, order=order, text="선물 포장 가능한가요? 선물용이에요").conversation

    page = browser_login(browser_page, "anna")
    open_conversation(page, conversation, expect)
    own = page.locator(f'.ra-sugg[data-code="{template.code}"]')
    expect(own).to_be_visible(timeout=SUGGESTIONS_TIMEOUT_MS)
    expect(page.locator(".ra-sugg").first).to_have_attribute("data-code", template.code)
    expect(own.locator(".ra-kind.own")).to_have_text("Store")
    own.click()
    expect(page.locator("#reply-text")).to_have_value(re.compile("무료로 선물 포장해"))
    expect(page.locator("#reply-language")).to_have_value("ko")
    expect(page.locator(".ra-lang.missing")).to_have_count(7)
    expect(page.locator("#ra-lang-legend")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reply-store-template-ko.png"))
    page.locator("#reply-send").click()
    page.wait_for_function(
        "() => document.querySelector('#reply-text') && !document.querySelector('#reply-text').value"
    )
    pick = ScenarioPick.objects.get(store=desk)
    assert (pick.picked_code, pick.suggested_code, pick.language) == (template.code, template.code, "ko")


def test_a_campaign_naming_a_past_period_needs_the_confirm_step(
    browser_page, browser_login, expect, transactional_db
):
    from datetime import timedelta

    from campaigns.models import Campaign, CampaignStatus
    from templates_i18n import services as scenario_services
    from tests.factories import make_member, make_store
    from tests.test_campaigns import conditions, new_campaign, order_for, today_of

    scenario_services.official_scenarios_sync()
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olive", role="owner")
    buyer = make_buyer(store, name="Ola", country="PL", locale="pl_PL")
    day = today_of(store) - timedelta(days=3)
    order_for(store, buyer, day)
    campaign = new_campaign(
        store,
        crowd=conditions(store, day, day),
        text="Dear customer, our team was away from 19 January to 18 February PT. Here is a coupon to say sorry.",
    )
    page = browser_login(browser_page, "olive", next_url=f"/campaigns/{campaign.pk}/")
    step = page.locator("#dates-confirm")
    expect(step).to_be_visible()
    expect(step.locator(".stale-date-span")).to_have_text("19 January to 18 February")
    expect(step).to_contain_text("is a period that ended on Feb 18")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-dates.png"), full_page=True)
    page.locator("#dates-confirmed").check()
    page.locator("#send-confirmed").click()
    expect(page.locator("#dates-confirm")).to_have_count(0)
    assert Campaign.objects.get(pk=campaign.pk).status in (CampaignStatus.SENDING, CampaignStatus.DONE)


def test_the_auto_reply_page_marks_a_past_date_and_saves_once_confirmed(
    browser_page, browser_login, expect, transactional_db
):
    from autoreply.models import AutoReplySettings
    from templates_i18n import services as scenario_services
    from tests.factories import make_member, make_store

    scenario_services.official_scenarios_sync()
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olive", role="owner")
    page = browser_login(browser_page, "olive", next_url="/autoreply/")
    page.fill("#ar-welcome", "Hi! We are closed from 19 January to 18 February. Tap a question below.")
    rows = [
        ("Shipping", "We ship within 3 days."),
        ("Returns", "Free returns for 15 days."),
        ("Sizes", "See the size chart."),
    ]
    keywords = page.locator("input.ar-keyword:visible")
    texts = page.locator("textarea[name$='-text']:visible")
    for i, (word, text) in enumerate(rows):
        keywords.nth(i).fill(word)
        texts.nth(i).fill(text)
    page.locator("#ar-save").click()
    mark = page.locator(".stale-date-span")
    expect(mark).to_have_text("19 January to 18 February")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "autoreply-dates.png"), full_page=True)
    assert not AutoReplySettings.objects.filter(store=store, welcome_text__contains="19 January").exists()
    page.locator("#dates-confirmed").check()
    page.locator("#ar-save").click()
    page.wait_for_url("**/autoreply/")
    expect(page.locator(".stale-date-span")).to_have_count(0)
    assert AutoReplySettings.objects.filter(store=store, welcome_text__contains="19 January").exists()


def test_the_owner_reads_how_often_the_first_suggestion_was_taken(
    browser_page, browser_login, expect, transactional_db
):
    from templates_i18n import services as scenario_services
    from tests.factories import make_member, make_store
    from tests.test_scenario_picks import record

    scenario_services.official_scenarios_sync()
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olive", role="owner")
    record(store, "order_eta", suggested="order_eta", times=3)
    record(store, "shipping_delay", suggested="order_eta", times=1)
    record(store, "refuse_in_transit", suggested="refuse_in_transit", language="ru", times=2)
    page = browser_login(browser_page, "olive", next_url="/replies/")
    page.locator("#pick-report-link").click()
    page.wait_for_url("**/replies/picks/")
    expect(page.locator('#pick-languages tr[data-language="en"] td').nth(4)).to_have_text("75%")
    expect(page.locator('#pick-languages tr[data-language="ru"] td').nth(4)).to_have_text("100%")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scenario-picks.png"), full_page=True)
