"""Delivery to the marketplace in the browser: the owner sets the endpoint, a reply the marketplace refuses
shows as not delivered in its thread and in the list, and "Send again" delivers it once the endpoint is back."""

from pathlib import Path

import pytest

from conversations.models import Message
from tests.factories import make_buyer, make_inbound, make_member, make_store
from tests.marketplace_server import marketplace_endpoint

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.browser
def test_a_refused_reply_is_shown_undelivered_and_sent_again(
    transactional_db, browser_page, browser_login, settings
):
    settings.SELLER_DESK = {
        **settings.SELLER_DESK,
        "DELIVERY_BACKEND": "conversations.backends.MarketplaceHttp",
        "DELIVERY": {**settings.SELLER_DESK["DELIVERY"], "TIMEOUT_SECONDS": 2},
    }
    store = make_store(name="Aurora Home Goods")
    make_member(store, role="owner", username="olga")
    buyer = make_buyer(store, name="Olga Smirnova")
    conversation = make_inbound(store, buyer=buyer, text="Где моя посылка? Трек не обновляется.").conversation
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with marketplace_endpoint() as endpoint:
        page = browser_login(browser_page, "olga", next_url="/marketplace/endpoint/")
        page.fill("#id_endpoint", endpoint.url)
        page.fill("#id_secret", "short")
        page.click("text=Save")
        assert (
            "The signing secret is 16 to 200 characters" in page.locator(".field-errors").first.inner_text()
        )
        page.fill("#id_endpoint", endpoint.url)
        page.fill("#id_secret", "a-shared-secret-of-32-characters")
        page.click("text=Save")
        page.wait_for_selector("#secret-state:text('set')")
        page.screenshot(path=str(SCREENSHOTS / "marketplace-endpoint.png"), full_page=True)

        endpoint.set("refuse")
        page.goto(f"/inbox/{conversation.pk}/")
        page.fill("#reply-text", "Ваша посылка в пути, трек обновится в течение 2 дней.")
        page.click("#reply-send")
        undelivered = page.locator(".msg-undelivered")
        undelivered.wait_for()
        assert "Not delivered to the buyer" in undelivered.inner_text()
        assert "The marketplace answered 400 Bad Request" in undelivered.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "thread-undelivered.png"))

        page.goto("/inbox/undelivered/")
        row = page.locator("table.undelivered-table tbody tr")
        assert row.count() == 1 and "Olga Smirnova" in row.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "undelivered.png"), full_page=True)

        endpoint.set("ok")
        page.click("text=Send again")
        page.wait_for_selector("text=Every message reached the marketplace.")
        message = Message.objects.get(conversation=conversation, direction="outbound")
        assert message.delivered_at is not None and message.delivery_failed_at is None
        assert endpoint.accepted_count() == 1
