"""The owner's integration page in a real browser: rotate the marketplace's token, see it once."""

import pytest
from rest_framework.test import APIClient

from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_member, make_store


@pytest.mark.browser
def test_owner_rotates_the_integration_token_in_the_browser(transactional_db, browser_page, browser_login):
    store = make_store(name="Aurora Home Goods")
    make_member(store, role="owner", username="olga")
    old = store.integration_token
    page = browser_login(browser_page, "olga", next_url="/team/")
    page.click("#integration-link")
    page.wait_for_url("**/settings/integration/")
    assert page.inner_text("#integration-token-state").startswith("Active")
    page.click("text=Rotate: issue a new token")
    token = page.inner_text("[data-token]").strip()
    assert token.startswith("sdi_") and token != old
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "integration-token.png"), full_page=True)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    assert api.get("/api/v1/ingress/buyers/b1/messages").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/ingress/buyers/b1/messages").status_code == 404
    page.goto("/settings/integration/")
    assert token not in page.content()
    assert "Integration token rotated" in page.inner_text("#integration-token-state")
