"""Batch campaigns in a real browser: the owner creates, identifies and sends; the buyer's chat shows the push,
the seller's inbox thread does not; progress updates live while the crowd is worked day by day."""

from datetime import timedelta

import pytest

from campaigns import services
from campaigns.models import StoreDailyQuota
from seller_desk.models import OrderStatus
from seller_desk.selectors import store_local_date
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_inbound, make_member, make_store
from tests.test_campaigns import make_coupon, order_for

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olga", role="owner")
    return store


def _history(store, today):
    """30 days of earlier batch sends for the chart; today 497 of 500 are already used."""
    used = [
        0,
        0,
        120,
        340,
        500,
        500,
        500,
        410,
        260,
        0,
        0,
        180,
        500,
        500,
        320,
        90,
        0,
        0,
        0,
        240,
        500,
        500,
        500,
        380,
    ]
    rows = [
        StoreDailyQuota(store=store, day=today - timedelta(days=len(used) - i), cap=500, used=n)
        for i, n in enumerate(used)
        if n
    ]
    rows.append(StoreDailyQuota(store=store, day=today, cap=500, used=497))
    StoreDailyQuota.objects.bulk_create(rows)


def test_owner_creates_identifies_and_sends_buyer_sees_it_seller_inbox_does_not(
    desk, browser_page, browser_login, chromium_browser, live_server, expect
):
    today = store_local_date(desk)
    first = today - timedelta(days=12)
    ivan = make_buyer(desk, name="Ivan Petrov", country="RU", locale="ru_RU")
    order_for(desk, ivan, first, hour=9)
    chat = make_inbound(
        desk, buyer=ivan, text="Здравствуйте! Когда отправите мой заказ?", channel="chat"
    ).conversation
    for i, (name, country, locale) in enumerate(
        [
            ("Lucía Gómez", "ES", "es_ES"),
            ("Marie Dubois", "FR", "fr_FR"),
            ("Jan Kowalski", "PL", "pl_PL"),
            ("Ana Souza", "BR", "pt_BR"),
            ("Min-jun Kim", "KR", "ko_KR"),
            ("Olga Smirnova", "RU", "ru_RU"),
            ("John Miller", "US", "en_US"),
        ]
    ):
        buyer = make_buyer(desk, name=name, country=country, locale=locale)
        order_for(desk, buyer, first + timedelta(days=1 + i // 2), hour=10 + i)
    shipped = make_buyer(desk, name="Already shipped", country="US", locale="en_US")
    order_for(desk, shipped, first, status=OrderStatus.IN_TRANSIT)
    coupon = make_coupon(desk, quantity=200)
    _history(desk, today)

    page = browser_login(browser_page, "olga", next_url="/campaigns/new/")
    page.fill("#id_name", "Spring Festival delay – sorry")
    page.fill("#id_orders_from", first.isoformat())
    page.fill("#id_orders_to", (today - timedelta(days=1)).isoformat())
    page.check("#id_unshipped_only")
    page.fill("#id_text", "Dear customer, the epidemic delayed us.")
    check = page.locator("#text-check")
    expect(check).to_contain_text("Banned word “epidemic” — use “outbreak”")
    expect(page.locator('[data-count-for="id_text"]')).to_have_text("39 / 1000")
    page.fill(
        "#id_text",
        "Dear customer, we sincerely apologize for the shipping delay caused by the extended holiday. "
        "Your parcel leaves our warehouse this week. As a thank-you for waiting, here is a coupon for your next order.",
    )
    page.click(".cg-variants summary")
    page.fill(
        "#id_variant_ru",
        "Уважаемый покупатель! Приносим извинения за задержку из-за продлённых праздников. "
        "Посылка уйдёт со склада на этой неделе. В благодарность за ожидание — купон на следующий заказ.",
    )
    expect(check.locator('[data-testid="text-ok"]')).to_be_visible()
    page.select_option("#id_coupon", str(coupon.pk))
    page.screenshot(path=str(SCREENSHOTS / "campaign-form.png"), full_page=True)
    page.click("button[type=submit].primary")

    page.wait_for_url("**/campaigns/*/")
    page.click("#identify")
    expect(page.locator('[data-testid="identified-count"]')).to_have_text("8")
    plan = page.locator('[data-testid="plan"] tbody tr')
    expect(plan).to_have_count(2)
    expect(plan.nth(0)).to_contain_text("3")
    expect(plan.nth(0)).to_contain_text("3 left of that day's quota")
    expect(plan.nth(1)).to_contain_text("5")
    preview = page.locator('[data-testid="preview"]')
    expect(preview).to_contain_text("Store promotion")
    expect(preview).to_contain_text("Уважаемый покупатель")
    expect(preview.locator(".coupon-card").first).to_contain_text(coupon.name)

    page.click("#send-now")
    expect(page.locator("#send-confirm-title")).to_contain_text("buyers now?")
    page.click("#send-confirm-yes")
    expect(page.locator(".cg-title .badge")).to_have_text("Sending")
    expect(page.locator('[data-testid="sent"]')).to_have_text("3")
    expect(page.locator('[data-testid="pending"]')).to_have_text("5")
    expect(page.locator('[data-testid="quota"]')).to_contain_text("500")
    page.screenshot(path=str(SCREENSHOTS / "campaign.png"), full_page=True)

    # The next day's run continues with the next window; the open page follows by polling.
    campaign_id = int(page.url.rstrip("/").split("/")[-1])
    services.campaign_send_batch(campaign_id=campaign_id, day=today + timedelta(days=1))
    expect(page.locator('[data-testid="sent"]')).to_have_text("8", timeout=15_000)
    expect(page.locator(".cg-title .badge")).to_have_text("Done")

    buyer_tab = browser_page.context.new_page()
    buyer_tab.goto(f"/simulator/{ivan.external_id}/")
    push = buyer_tab.locator(".chat-msg.push")
    expect(push).to_have_count(1)
    expect(push).to_contain_text("Store promotion")
    expect(push).to_contain_text("Посылка уйдёт со склада")
    expect(push.locator(".coupon-card")).to_contain_text(coupon.name)

    buyer_tab.close()
    inbox = browser_page.context.new_page()
    inbox.goto(f"/inbox/{chat.pk}/", wait_until="domcontentloaded", timeout=30_000)
    expect(inbox.get_by_text("Когда отправите мой заказ?").first).to_be_visible()
    expect(inbox.get_by_text("Посылка уйдёт со склада")).to_have_count(0)

    page.goto("/campaigns/")
    expect(page.locator('[data-testid="quota-today"]')).to_contain_text("500")
    page.screenshot(path=str(SCREENSHOTS / "campaigns.png"), full_page=True)
