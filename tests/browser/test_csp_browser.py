"""Issue 9, point 3: every main page works under the Content-Security-Policy header, with no violation."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from campaigns.services import campaign_create
from conversations.models import Conversation
from coupons.models import Coupon
from demo.services import DEMO_PASSWORD, demo_seed
from seller_desk.models import Buyer, Store
from seller_desk.selectors import store_local_date
from tests.browser.conftest import SCREENSHOTS

User = get_user_model()

CATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || ''));
});
"""


@pytest.mark.browser
def test_main_pages_work_under_the_csp_header_without_a_violation(
    transactional_db, browser_page, browser_login, live_server
):
    demo_seed()
    store = Store.objects.get(slug="aurora-electronics")
    coupon = Coupon.objects.filter(store=store).first()
    today = store_local_date(store)
    campaign = campaign_create(
        store=store,
        acting_user=User.objects.get(username="aurora-owner"),
        values={
            "name": "Thank-you note",
            "scenario": "reminder",
            "crowd": {
                "method": "conditions",
                "orders_from": (today - timedelta(days=30)).isoformat(),
                "orders_to": today.isoformat(),
            },
            "text": "Dear customer, thank you for your order.",
        },
    )
    buyer = Buyer.objects.filter(store=store).order_by("pk").first()
    page = browser_page
    page.context.add_init_script(CATCH_VIOLATIONS)
    console = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))

    response = page.goto("/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-hashes' 'sha256-" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    browser_login(page, "aurora-owner", DEMO_PASSWORD)

    pages = [
        "/inbox/",
        "/dashboard/",
        "/dashboard/?days=30",
        "/coupons/",
        f"/coupons/{coupon.pk}/",
        "/coupons/new/",
        "/campaigns/",
        f"/campaigns/{campaign.pk}/",
        "/campaigns/new/",
        "/autoreply/",
        "/replies/",
        "/banned-words/",
        "/simulator/",
        f"/simulator/{buyer.external_id}/",
        "/team/",
        "/audit/",
        "/settings/integration/",
        "/api/docs/",
    ]
    seen = {}
    for url in pages:
        answer = page.goto(url)
        assert answer.status == 200, url
        assert "content-security-policy" in answer.headers, url
        page.wait_for_load_state("networkidle")
        seen[url] = page.evaluate("window.__cspViolations")

    # Live updates poll with hx-vals="js:…" (filled in by desk/csp_vals.js, no eval): let a few polls run.
    conversation_id = Conversation.objects.filter(store=store).order_by("pk").first().pk
    for url in (f"/inbox/{conversation_id}/", f"/simulator/{buyer.external_id}/"):
        with page.expect_request(lambda r: "after=" in r.url, timeout=15_000) as poll:
            page.goto(url)
        assert "after=" in poll.value.url and "after=&" not in poll.value.url + "&", poll.value.url
        page.wait_for_timeout(3500)
        seen[f"{url} polling"] = page.evaluate("window.__cspViolations")

    # The inline handlers allowed by hash still run: the inbox's filter submits on change ...
    page.goto("/inbox/")
    page.wait_for_load_state("networkidle")
    select = page.locator("select[onchange]").first
    values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    with page.expect_navigation():
        select.select_option(values[-1])
    assert (
        f"channel={values[-1]}" in page.url
    )  # the handler ran: a blocked one would leave the page as it was
    page.wait_for_load_state("networkidle")
    seen["inbox filter"] = page.evaluate("window.__cspViolations")
    # ... a confirmation asks before a team member is removed (dismissed: nobody is removed) ...
    page.goto("/team/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-confirm] button").first.click()
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("Remove aurora-agent")
    seen["team confirm"] = page.evaluate("window.__cspViolations")
    # ... and Swagger UI starts (its script is a file, not inline).
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
    seen["swagger"] = page.evaluate("window.__cspViolations")

    assert {url: v for url, v in seen.items() if v} == {}
    assert [line for line in console if "Content Security Policy" in line or "pageerror" in line] == []
    page.goto("/inbox/")
    page.screenshot(path=str(SCREENSHOTS / "csp-inbox.png"))
