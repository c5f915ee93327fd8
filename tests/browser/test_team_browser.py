from pathlib import Path

import pytest

from seller_desk.models import Membership
from tests.factories import make_member, make_store

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.browser
def test_owner_adds_an_agent_in_the_browser(transactional_db, browser_page, browser_login):
    store = make_store(name="Aurora Home Goods")
    make_member(store, role="owner", username="olga")
    make_member(store, role="agent", username="anna")
    page = browser_login(browser_page, "olga", next_url="/team/")

    page.fill("#id_username", "dmitry")
    page.fill("#id_password", "short")
    add = page.get_by_role("button", name="Add member")
    with page.expect_navigation():
        add.click()
    page.wait_for_load_state("load")
    assert page.locator(".error").first.inner_text() == "Passwords have at least 8 characters."
    assert page.input_value("#id_username") == "dmitry"

    page.fill("#id_password", "long-enough-1")
    with page.expect_navigation():
        add.click()
    page.wait_for_selector('tr[data-username="dmitry"]')
    assert Membership.objects.get(user__username="dmitry").role == "agent"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "team.png"), full_page=True)
