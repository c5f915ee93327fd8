"""Issue 12 in a real browser: an agent answers a dispute with a partial refund, a photo and a chat excerpt;
an owner extends buyer protection and the buyer simulator gets Scenario 6 in the buyer's language; an Arabic
buyer's first message brings the Arabic welcome and its keyword card."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from autoreply.models import Keyword
from conversations.models import Message
from marketplace.services import dispute_open
from seller_desk.models import Dispute, ProtectionExtension
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]

SCENARIO_6_ES = (
    "Dado que el tiempo de entrega del pedido puede retrasarse en esos días, puede negociar con el vendedor "
    "para ayudar a extender el período de entrega de garantía de su pedido."
)
WELCOME = "Hi, thanks for writing to Aurora Home Goods! Tap a question below or write yours."
WELCOME_AR = "مرحبًا بك في متجر أورورا! اضغط على سؤال أدناه أو اكتب سؤالك، وسنرد خلال 24 ساعة."


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="olga", role="owner")
    make_member(store, username="li-agent", role="agent")
    return store


def _shelf_picture(crack: bool) -> bytes:
    """A drawn photo of a boxed shelf (with a crack line for the buyer's), so the evidence looks like one."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 180), (236, 228, 214))
    draw = ImageDraw.Draw(img)
    draw.rectangle((30, 40, 210, 150), fill=(181, 136, 99), outline=(120, 84, 56), width=4)
    for y in (75, 110):
        draw.line((30, y, 210, y), fill=(120, 84, 56), width=4)
    if crack:
        draw.line((90, 40, 110, 80, 100, 110, 125, 150), fill=(40, 30, 25), width=3)
    else:
        draw.rectangle((20, 30, 220, 160), outline=(90, 140, 200), width=6)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _photo(tmp_path, name="shelf-packed.png"):
    path = tmp_path / name
    path.write_bytes(_shelf_picture(crack=False))
    return path


def test_agent_answers_a_dispute_with_a_partial_refund_a_photo_and_a_chat_excerpt(
    desk, browser_page, browser_login, expect, tmp_path
):
    now = timezone.now()
    buyer = make_buyer(desk, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(
        desk,
        buyer,
        days_ago=30,
        shipped_at=now - timedelta(days=25),
        amount=Decimal("48.00"),
        protection_ends_at=now + timedelta(days=20),
    )
    make_inbound(
        desk, order=order, text="Полка пришла с трещиной, что делать?", sent_at=now - timedelta(days=3)
    )
    dispute, _ = dispute_open(
        store=desk,
        dispute_id="AE-77120",
        order_id=order.external_id,
        opened_at=now - timedelta(days=2),
        reason="Item damaged",
        refund_amount=Decimal("48.00"),
        return_goods=False,
        description="Полка треснула при доставке, прикладываю фото.",
        evidence=[SimpleUploadedFile("crack.png", _shelf_picture(crack=True), content_type="image/png")],
        evidence_urls=["https://marketplace.example/evidence/77120/unboxing.mp4"],
        chat_excerpts=["Продавец: полка надёжно упакована"],
    )

    browser_page.set_viewport_size({"width": 1440, "height": 1250})
    page = browser_login(browser_page, "li-agent", next_url=f"/inbox/{dispute.conversation_id}/")
    panel = page.locator("#dispute-panel")
    expect(panel.locator("#dispute-status")).to_have_text("Open")
    expect(panel.locator(".buyer-evidence .ev-photo img")).to_have_count(1)
    expect(panel.locator(".buyer-evidence .ev-chat")).to_contain_text("полка надёжно упакована")
    expect(panel.locator(".dispute-deadline .qdue")).to_contain_text("left")

    panel.locator("input[name=action][value=propose]").check()
    panel.locator("#dispute-refund").fill("20.00")
    panel.locator("#dispute-text").fill(
        "Приносим извинения! Предлагаем вернуть 20 USD, полку можно оставить себе. Фото упаковки прилагаем."
    )
    panel.locator("#dispute-photos").set_input_files(str(_photo(tmp_path)))
    recorded = Path(__file__).resolve().parents[1] / "data" / "recorded.webm"
    panel.locator("#dispute-video").set_input_files(str(recorded))
    panel.locator(".df-excerpt", has_text="Полка пришла с трещиной").locator("input").check()
    page.evaluate("document.activeElement.blur(); document.querySelector('#dispute-panel').scrollIntoView()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dispute-panel.png"), full_page=True)
    panel.locator("#dispute-submit").click()

    panel = page.locator("#dispute-panel")
    expect(panel.locator("#dispute-status")).to_have_text("Seller proposed a solution")
    answers = panel.locator("#dispute-answers > li")
    expect(answers).to_have_count(1)
    expect(answers.first).to_contain_text("Propose another refund")
    expect(answers.first).to_contain_text("USD 20.00")
    expect(answers.first.locator(".ev-photo img")).to_have_count(1)
    expect(answers.first.locator(".ev-video video")).to_have_count(1)
    expect(answers.first.locator(".ev-chat")).to_contain_text("Полка пришла с трещиной")
    expect(page.locator("#thread-messages .msg.from-seller").last).to_contain_text(
        "Предлагаем вернуть 20 USD"
    )
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(SCREENSHOTS / "dispute-answered.png"), full_page=True)

    dispute.refresh_from_db()
    assert dispute.status == "proposed"
    response = dispute.responses.get()
    assert (response.action, response.refund_amount) == ("propose", Decimal("20.00"))
    assert sorted(dispute.evidence.filter(side="seller").values_list("kind", flat=True)) == [
        "chat",
        "photo",
        "video",
    ]


def test_owner_extends_protection_and_the_buyer_gets_scenario_6_in_spanish(
    desk, browser_page, browser_login, expect
):
    now = timezone.now()
    buyer = make_buyer(desk, name="Lucía Fernández", country="ES", locale="es_ES")
    order = make_order(
        desk,
        buyer,
        days_ago=25,
        shipped_at=now - timedelta(days=22),
        protection_ends_at=now + timedelta(days=4),
    )
    conversation = make_inbound(
        desk,
        order=order,
        text="Mi pedido todavía no ha llegado y la protección termina pronto.",
        channel="chat",
    ).conversation

    page = browser_login(browser_page, "olga", next_url=f"/inbox/{conversation.id}/")
    box = page.locator("#protection-extend")
    box.locator("summary").click()
    box.locator("#protection-days").fill("15")
    box.locator("#protection-reason").fill("Carrier delay (Correos backlog)")
    page.evaluate("document.activeElement.blur()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "protection-extend.png"), full_page=True)
    box.locator("#protection-submit").click()

    history = page.locator("#protection-extend .pe-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("+15 d")
    expect(history.first).to_contain_text("olga")
    expect(history.first).to_contain_text("Carrier delay")
    expect(page.locator("#thread-messages .msg.from-seller").last).to_contain_text(SCENARIO_6_ES)
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(SCREENSHOTS / "protection-extended.png"), full_page=True)

    page.goto(f"/simulator/{buyer.external_id}/")
    reply = page.locator("#chat-messages .chat-msg.theirs", has_text="Dado que el tiempo de entrega")
    expect(reply).to_have_count(1)
    expect(reply.locator(".msg-text")).to_have_attribute("lang", "es")
    page.screenshot(path=str(SCREENSHOTS / "protection-buyer.png"), full_page=True)

    order.refresh_from_db()
    extension = ProtectionExtension.objects.get(order=order)
    assert order.protection_ends_at == extension.ends_before + timedelta(days=15)
    assert extension.message.text == SCENARIO_6_ES


def test_an_arabic_buyers_first_message_brings_the_arabic_welcome_and_card(
    desk, browser_page, browser_login, expect
):
    page = browser_login(browser_page, "olga", next_url="/autoreply/")
    page.click("#ar-starter")
    expect(page.locator("#ar-starter-notice")).to_be_visible()
    rows = page.locator("#ar-rows > .ar-row")
    expect(rows).to_have_count(4)
    page.click("label.ar-switch")
    page.fill("#ar-welcome", WELCOME)
    versions = page.locator("#ar-welcome-versions")
    versions.locator("summary").click()
    versions.locator("#welcome_text-ar").fill(WELCOME_AR)
    page.fill("#ar-live-hours", "2")
    page.click("#ar-save")
    # The starter's shipping-delay script names the seed's holiday, which is over: confirm the dates, save again.
    expect(page.locator(".stale-dates")).to_be_visible()
    page.check("#dates-confirmed")
    page.click("#ar-save")
    expect(page.locator(".flash")).to_contain_text("Auto-reply saved: on, with 4 keywords.")
    arabic = page.locator("#ar-language-preview li", has_text="Arabic")
    expect(arabic).to_contain_text("in this language")
    expect(arabic).to_contain_text("4/4 replies")
    expect(arabic.locator(".ar-lang-text")).to_have_text(WELCOME_AR)
    page.locator("#ar-welcome-versions summary").click()
    page.locator("#ar-rows > .ar-row").nth(1).locator("summary").click()
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "autoreply-languages.png"), full_page=True)
    assert Keyword.objects.filter(store=desk, removed_at=None).count() == 4

    buyer = make_buyer(desk, name="Fatima Al-Harbi", country="SA", locale="ar_SA")
    page.goto(f"/simulator/{buyer.external_id}/")
    page.fill("#buyer-text", "السلام عليكم، متى يصل طلبي؟")
    page.click("#buyer-send")
    welcome = page.locator("#chat-messages .chat-msg.theirs", has_text="مرحبًا بك في متجر أورورا")
    expect(welcome).to_have_count(1)
    expect(welcome.locator(".msg-text")).to_have_attribute("dir", "rtl")
    expect(welcome.locator(".kw-tap")).to_have_text(
        [
            "Can I order? Will it ship?",
            "Delivery and logistics",
            "Is the package safe?",
            "How do I cancel and get a refund?",
        ]
    )
    welcome.locator(".kw-tap", has_text="Delivery and logistics").click()
    answer = page.locator("#chat-messages .chat-msg.theirs", has_text="نظرا لأن وقت تسليم الطلب")
    expect(answer).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "autoreply-arabic-buyer.png"), full_page=True)

    conversation = Message.objects.get(buyer=buyer, direction="inbound").conversation
    page.goto(f"/inbox/{conversation.id}/")
    expect(page.locator("#thread-messages .tap-note")).to_have_text("Buyer tapped: Delivery and logistics")
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(SCREENSHOTS / "inbox-tap.png"), full_page=True)
    assert Dispute.objects.count() == 0
