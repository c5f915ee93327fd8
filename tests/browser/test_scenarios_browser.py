"""The reply library in a real browser: language chips, right-to-left texts, the placeholder preview (R18)."""

import pytest

from templates_i18n.services import official_scenarios_sync
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_member, make_store

pytestmark = [pytest.mark.browser]


@pytest.fixture
def agent(transactional_db):
    official_scenarios_sync()
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, role="agent", username="lena")
    return store


def test_library_shows_rtl_texts_missing_languages_and_fills_days(agent, browser_page, browser_login):
    page = browser_login(browser_page, "lena", next_url="/replies/")
    page.click("text=Slow delivery: extending the buyer-protection period")
    page.wait_for_url("**code=extend_protection")
    arabic = page.locator("#text-ar .reply-text")
    assert arabic.get_attribute("dir") == "rtl"
    assert page.evaluate("el => getComputedStyle(el).direction", arabic.element_handle()) == "rtl"
    assert page.evaluate("el => getComputedStyle(el).textAlign", arabic.element_handle()) in ("right", "end")
    assert page.locator("#text-ko .reply-text").get_attribute("dir") == "ltr"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scenario-library.png"))

    page.click("text=What will be with my order?")
    page.wait_for_url("**code=order_eta")
    assert page.locator(".lang-chips .chip.missing").count() == 7
    page.fill("input[name=days]", "14")
    page.click("form.fill button[type=submit]")
    page.wait_for_selector("#preview .preview.ok")
    assert "approx. 14 days" in page.inner_text("#preview")
    page.select_option("select[name=language]", "ru")
    page.wait_for_function("() => document.querySelector('#preview [lang=ru]') !== null")
    page.fill("input[name=days]", "")
    page.click("form.fill button[type=submit]")
    page.wait_for_selector("#preview .preview.ok [lang=ru]")
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("#preview .preview.bad")
    assert "Fill the placeholder {days}" in page.inner_text("#preview")
    page.fill("input[name=days]", "14")
    page.click("form.fill button[type=submit]")
    page.wait_for_selector("#preview .preview.ok")
    page.screenshot(path=str(SCREENSHOTS / "scenario-library-preview.png"))


def test_agent_writes_a_store_template_in_two_languages(agent, browser_page, browser_login):
    page = browser_login(browser_page, "lena", next_url="/replies/")
    page.click("text=New template")
    page.wait_for_url("**/replies/new")
    assert page.get_attribute("#id_body_he", "dir") == "rtl"
    page.fill("#id_title", "Parcel handed to the carrier")
    page.click(".scenario-form button[type=submit]")
    assert "A template needs its text in at least one language." in page.inner_text(".scenario-form")
    page.screenshot(path=str(SCREENSHOTS / "scenario-template-form.png"), full_page=True)
    page.fill("#id_body_en", "Hi {buyer_name}, your parcel {order_id} is with the carrier.")
    page.fill("#id_body_he", "שלום {buyer_name}, החבילה {order_id} נמסרה לחברת השילוח.")
    page.check("input[value=in_transit]")
    page.click(".scenario-form button[type=submit]")
    page.wait_for_url("**code=parcel_handed_to_the_carrier")
    assert page.locator(".lib-row.selected").inner_text().startswith("Parcel handed to the carrier")
    assert page.locator("#text-he .reply-text").get_attribute("dir") == "rtl"
    assert page.locator("#text-en mark.ph").all_inner_texts() == ["{buyer_name}", "{order_id}"]
