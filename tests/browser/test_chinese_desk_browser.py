"""Issue 11, must show: the whole desk walked in Chinese by an owner, an agent and a platform admin.

The browser sends ``Accept-Language: zh-CN``; every page is screenshotted to docs/screenshots/zh/ and its
visible text is checked for English left over. Buyer content (messages, names, order ids), proper names
(stores, people, coupon names) and codes are taken out first: they are never translated.
"""

import re
from pathlib import Path

import pytest

from conversations.models import Conversation, ConversationStatus
from demo.services import DEMO_PASSWORD, demo_seed
from templates_i18n.suggest import warm_up

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "zh"

# Elements whose text is buyer content, a proper name or a code, not the desk's words.
NOT_INTERFACE = (
    ".msg-text, .bubble, bdi, [lang]:not(html), .name, .qname, .buyer-name, .order-id, .mono, code, kbd, "
    ".cc, .lang, .store-chip, .user, .brand-name, .cg-preview, .ar-preview, .ar-side, .ar-bubble, "
    "textarea, input, select option, .cp-title, .coupon-card, .row-title, .audit-details, .qpreview, "
    ".qsnippet, td.mono, .cp-prefix, .ra-opt-title, .ra-sugg-title, .kw, .token-once, .bw-term, .bw-suggestion, "
    "[data-testid='name-preview'], .cg-title, .cg-sub, .ar-chip, .lang-switch, .zone-chip, .chan, .ra-lang-list, "
    ".reply-text, .lang-text, .bw-term, td[dir='auto'], .cp-name, .cp-crumbs, .question, .detail-head .small, [class*='lang'], .row-chips, .cp-code, .qtag, .tag-chip, .note-text"
)
ALLOWED = {
    "DDWL",
    "USD",
    "EUR",
    "CSV",
    "JPG",
    "JPEG",
    "PNG",
    "MP4",
    "WebM",
    "English",
    "Ctrl",
    "Enter",
    "Esc",
    "HMAC",
    "SHA256",
    "ISO",
    "URL",
    "Bearer",
    "Authorization",
    "Aurora",
    "Electronics",
    "Bazaar",
    "Home",
    "Asia",
    "Shanghai",
    "America",
    "Los_Angeles",
    "Angeles",
    "UTC",
    "Los",
    "pidemic",  # "еpidemic" with a Cyrillic е: the example of a look-alike spelling the guard catches
}


def _english_left(page) -> list[str]:
    text = page.evaluate(
        """(selector) => {
            const root = document.querySelector('main') || document.body;
            const clone = root.cloneNode(true);
            clone.querySelectorAll(selector + ', script, style, noscript, svg text, [hidden], .visually-hidden').forEach((el) => el.remove());
            return clone.innerText;
        }""",
        NOT_INTERFACE,
    )
    words = [
        w for w in re.findall(r"[A-Za-z][A-Za-z_'’-]{2,}", text) if "_" not in w
    ]  # field names: API terms
    usernames = re.compile(r"^[a-z]+-[a-z]+$|^DDWL|^[A-Z]+(-[A-Z]+)+$")  # logins (aurora-owner), coupon codes
    return sorted(
        {w for w in words if w not in ALLOWED and not re.search(r"\d", w) and not usernames.match(w)}
    )


def _shot(page, name: str) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return _english_left(page)


@pytest.fixture
def zh_context(chromium_browser, live_server):
    context = chromium_browser.new_context(
        viewport={"width": 1440, "height": 900}, base_url=live_server.url, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _login(context, username: str):
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.browser
def test_the_whole_desk_in_chinese(transactional_db, zh_context, expect):
    demo_seed()
    # The thread's gists come from the suggestion model: load it and embed the library before the first page asks
    # (a cold process spends seconds on it, more than a page's timeout on a busy machine).
    warm_up()
    leftovers: dict[str, list[str]] = {}

    owner = _login(zh_context, "aurora-owner")
    assert owner.url.endswith("/inbox/")
    expect(owner.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(owner.locator(".mainnav")).to_contain_text("收件箱")
    leftovers["inbox"] = _shot(owner, "inbox")

    waiting = (
        Conversation.objects.filter(
            store__slug="aurora-electronics", status=ConversationStatus.NEEDS_REPLY, language="ru"
        )
        .order_by("reply_due_at")
        .first()
    )
    owner.goto(f"/inbox/{waiting.id}/", timeout=60_000)
    gist = owner.locator('[data-testid="gist"]').first
    expect(gist).to_contain_text("俄语 · ")
    leftovers["thread"] = _shot(owner, "thread-gist")
    owner.fill("#reply-text", "Здравствуйте! Ваш заказ отправлен.")
    owner.click("#reply-send")
    expect(owner.locator(".msg.from-seller").last).to_contain_text("Ваш заказ отправлен")
    leftovers["thread-replied"] = _shot(owner, "thread-replied")

    for path, name in (
        ("/dashboard/", "dashboard"),
        ("/coupons/", "coupons"),
        ("/coupons/new/", "coupon-form"),
        ("/campaigns/", "campaigns"),
        ("/campaigns/new/", "campaign-form"),
        ("/autoreply/", "autoreply"),
        ("/team/", "team"),
        ("/audit/", "audit"),
        ("/account/", "account"),
        ("/replies/", "replies"),
    ):
        owner.goto(path)
        owner.wait_for_load_state("networkidle")
        if name == "coupon-form":  # the browser draws the picker its own way; the desk writes the date out
            expect(owner.locator("#id_valid_until")).to_have_attribute("lang", "zh-hans")
            owner.fill("#id_valid_until", "2026-12-24")
            expect(owner.locator("#id_valid_until + [data-date-echo]")).to_have_text("2026年12月24日")
        leftovers[name] = _shot(owner, name)
    owner.goto("/coupons/")
    owner.locator("table a").first.click()
    owner.wait_for_load_state("networkidle")
    leftovers["coupon-detail"] = _shot(owner, "coupon-detail")

    agent = _login(zh_context, "aurora-agent1")
    assert agent.url.endswith("/inbox/")
    agent.locator(".qrow").first.click()
    agent.wait_for_load_state("networkidle")
    leftovers["agent-thread"] = _shot(agent, "agent-thread")
    agent.goto("/team/")
    expect(agent.locator("h1")).to_have_text("您无法打开此页面")
    leftovers["agent-403"] = _shot(agent, "agent-403")

    admin = _login(zh_context, "platform-admin")
    assert admin.url.endswith("/banned-words/")
    leftovers["banned-words"] = _shot(admin, "banned-words")

    english = {page: words for page, words in leftovers.items() if words}
    assert english == {}, f"English left on the Chinese pages: {english}"
