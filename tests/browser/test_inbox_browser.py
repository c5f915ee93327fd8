"""The inbox and the buyer simulator in a real browser: answer a buyer, watch both sides update without reloads."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Message
from tests.browser.conftest import SCREENSHOTS
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="anna", role="agent")
    return store


def test_agent_answers_in_the_inbox_and_both_sides_update_live(desk, browser_page, browser_login, expect):
    now = timezone.now()
    olga = make_buyer(desk, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(desk, olga, status="in_transit", days_ago=12)
    conversation = make_inbound(
        desk,
        order=order,
        text="Здравствуйте! Где мой заказ? Прошло уже 12 дней.",
        sent_at=now - timedelta(hours=21),
    ).conversation
    make_inbound(desk, text="Hola, ¿cuándo llega mi pedido?", sent_at=now - timedelta(hours=2))

    page = browser_login(browser_page, "anna")
    row = page.locator(f'#queue-list .qrow[data-id="{conversation.id}"]')
    expect(page.locator("#queue-list .qrow").first).to_have_attribute("data-id", str(conversation.id))
    expect(row.locator(".qdue")).to_have_class(re.compile(r"\bdue-soon\b"))

    row.click()
    expect(page).to_have_url(re.compile(rf"/inbox/{conversation.id}/$"))
    expect(page.locator("#thread-messages")).to_contain_text("Где мой заказ?")
    expect(page.locator(".order-pane")).to_contain_text(f"#{order.external_id}")
    page.evaluate("window.__sameDocument = true")

    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("Ольга, ваш заказ уже в пути, трек-номер обновится в течение двух дней.")
    page.keyboard.press("Control+Enter")

    expect(page.locator("#thread-messages .msg.from-seller")).to_contain_text("ваш заказ уже в пути")
    expect(page.locator("#reply-text")).to_have_value("")
    expect(page.locator("#thread-status")).to_contain_text("Answered")
    expect(row).to_have_count(0)
    reply = Message.objects.get(conversation=conversation, direction="outbound")
    assert reply.sent_by.username == "anna"

    buyer_tab = page.context.new_page()
    buyer_tab.goto(f"/simulator/{olga.external_id}/")
    expect(buyer_tab.locator("#chat-messages .chat-msg.theirs")).to_contain_text("ваш заказ уже в пути")

    buyer_tab.fill("#buyer-text", "Спасибо! А можно трек-номер?")
    buyer_tab.click("#buyer-send")
    expect(buyer_tab.locator("#chat-messages .chat-msg.mine").last).to_contain_text("А можно трек-номер?")
    expect(buyer_tab.locator("#buyer-text")).to_have_value("")

    expect(page.locator("#thread-messages .msg.from-buyer").last).to_contain_text("А можно трек-номер?")
    expect(page.locator("#thread-status")).to_contain_text("Needs reply")
    expect(row).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    assert Message.objects.filter(conversation=conversation, direction="inbound").count() == 2

    page.fill("#reply-text", "Трек-номер: LP00123456789RU")
    page.click("#reply-send")
    expect(buyer_tab.locator("#chat-messages .chat-msg.theirs").last).to_contain_text("LP00123456789RU")
    assert buyer_tab.evaluate("document.querySelectorAll('#chat-messages .chat-msg[data-id]').length") == 4


def test_a_new_buyer_message_appears_in_the_open_queue_without_reload(
    desk, browser_page, browser_login, expect
):
    carmen = make_buyer(desk, name="Carmen López", country="ES", locale="es_ES")
    make_order(desk, carmen, status="awaiting_shipment", days_ago=2)

    page = browser_login(browser_page, "anna")
    expect(page.locator(".queue-empty")).to_contain_text("All caught up")

    buyer_tab = page.context.new_page()
    buyer_tab.goto(f"/simulator/{carmen.external_id}/")
    buyer_tab.select_option("select[name=channel]", "chat")
    buyer_tab.fill("#buyer-text", "Hola, ¿podéis enviarlo antes del viernes?")
    buyer_tab.keyboard.press("Enter")
    expect(buyer_tab.locator("#chat-messages .chat-msg.mine")).to_contain_text("antes del viernes")

    conversation = Conversation.objects.get(buyer=carmen)
    new_row = page.locator(f'#queue-list .qrow[data-id="{conversation.id}"]')
    expect(new_row).to_contain_text("Carmen López")
    expect(new_row.locator(".chan")).to_have_text("Chat")
    expect(page.locator('.queue-tab[data-queue="needs_reply"] .count').first).to_have_text("1")


def test_keyboard_moves_through_the_queue_opens_and_shows_help(desk, browser_page, browser_login, expect):
    now = timezone.now()
    first = make_inbound(desk, text="First one", sent_at=now - timedelta(hours=23)).conversation
    second = make_inbound(desk, text="Second one", sent_at=now - timedelta(hours=10)).conversation
    make_inbound(desk, text="Third one", sent_at=now - timedelta(hours=1))

    page = browser_login(browser_page, "anna")
    expect(page.locator("#queue-list .qrow.cursor")).to_have_attribute("data-id", str(first.id))
    page.keyboard.press("j")
    expect(page.locator("#queue-list .qrow.cursor")).to_have_attribute("data-id", str(second.id))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/inbox/{second.id}/$"))
    expect(page.locator("#thread-messages")).to_contain_text("Second one")
    expect(page.locator(f'#queue-list .qrow.selected[data-id="{second.id}"]')).to_have_count(1)

    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#reply-text")).not_to_be_focused()

    page.keyboard.press("?")
    expect(page.locator("#kbd-help")).to_be_visible()
    expect(page.locator("#kbd-help")).to_contain_text("Ctrl")
    page.keyboard.press("Escape")
    expect(page.locator("#kbd-help")).to_be_hidden()


def test_a_bad_picture_is_refused_in_the_browser_and_the_text_stays(
    desk, browser_page, browser_login, expect
):
    conversation = make_inbound(desk, text="Can you send a photo of the package?").conversation

    page = browser_login(browser_page, "anna", next_url=f"/inbox/{conversation.id}/")
    page.fill("#reply-text", "Here is the photo.")
    page.set_input_files(
        "#reply-image",
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"plain text, not a JPEG\n"}],
    )
    page.click("#reply-send")

    expect(page.locator("#reply-image-errors")).to_contain_text("not a readable JPG or PNG picture")
    expect(page.locator("#reply-text")).to_have_value("Here is the photo.")
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()


# Screenshots for the docs: a realistic multilingual queue, a thread with a coupon and RTL text, and the buyer's side.

DEMO = [  # name, country, locale, channel, hours since the first unanswered message, order status
    ("Fatima Al-Harbi", "SA", "ar_SA", "message", 27, "in_transit"),
    ("Olga Smirnova", "RU", "ru_RU", "chat", 22.5, "in_transit"),
    ("Minji Park", "KR", "ko_KR", "comment", 30, "delivered"),
    ("Carmen López", "ES", "es_ES", "chat", 9, "awaiting_shipment"),
    ("Noa Levi", "IL", "he_IL", "message", 5, "in_transit"),
    ("Lucas Oliveira", "BR", "pt_BR", "chat", 3, "awaiting_shipment"),
    ("Piotr Nowak", "PL", "pl_PL", "message", 1.2, "delivered"),
    ("Claire Martin", "FR", "fr_FR", "chat", 0.3, "in_transit"),
]
DEMO_TEXT = {
    "Fatima Al-Harbi": "مرحبا، طلبي لم يصل بعد. هل يمكنكم التحقق من رقم التتبع؟",
    "Olga Smirnova": "Здравствуйте! Посылка застряла на таможне уже неделю, что делать?",
    "Minji Park": "색상이 사진과 조금 달라요. 교환이 가능한가요?",
    "Carmen López": "Hola, ¿podéis enviarlo antes del viernes? Es un regalo.",
    "Noa Levi": "שלום, אפשר להאריך את תקופת ההגנה? החבילה עדיין בדרך.",
    "Lucas Oliveira": "Oi! Vocês enviam para o Brasil pelo correio normal?",
    "Piotr Nowak": "Dzień dobry, paczka przyszła uszkodzona. Załączam zdjęcie.",
    "Claire Martin": "Bonjour, le suivi n'a pas bougé depuis 5 jours.",
}


def test_inbox_and_simulator_screenshots_with_multilingual_buyers(desk, browser_page, browser_login, expect):
    from django.contrib.auth import get_user_model

    from conversations.services import outbound_message_create
    from coupons.services import coupon_create

    now = timezone.now()
    conversations = {}
    buyers = {}
    for i, (name, country, locale, channel, hours, status) in enumerate(DEMO):
        text = DEMO_TEXT[name]
        buyer = make_buyer(desk, name=name, country=country, locale=locale)
        order = make_order(desk, buyer, status=status, days_ago=8 + i * 3, amount=f"{19 + i * 7}.90")
        result = make_inbound(
            desk, buyer=buyer, order=order, channel=channel, text=text, sent_at=now - timedelta(hours=hours)
        )
        conversations[name] = result.conversation
        buyers[name] = buyer
    anna = get_user_model().objects.get(username="anna")
    coupon = coupon_create(
        store=desk,
        acting_user=anna,
        values={
            "name_suffix": "SORRY5",
            "denomination": "5",
            "threshold": "30",
            "currency": "USD",
            "quantity": 200,
            "valid_until": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
    )
    fatima = conversations["Fatima Al-Harbi"]
    welcome = outbound_message_create(
        conversation=fatima,
        sender="autoreply",
        text="أهلا بك في متجر أورورا! اختر موضوعا أو اكتب سؤالك وسنرد خلال 24 ساعة.",
        language="ar",
        card={"keywords": [{"id": 1, "keyword": "تتبع الطلب"}, {"id": 2, "keyword": "الإرجاع"}]},
    )
    Message.objects.filter(pk=welcome.pk).update(created_at=now - timedelta(hours=27) + timedelta(seconds=20))
    outbound_message_create(
        conversation=fatima,
        sender="campaign",
        text="عروض الربيع: خصم ٢٠٪ على كل المتجر هذا الأسبوع!",
        language="ar",
        buyer_only=True,
    )

    page = browser_login(browser_page, "anna", next_url=f"/inbox/{fatima.id}/")
    page.fill("#reply-text", "مرحبا فاطمة، طلبك في الطريق. نعتذر عن التأخير — إليك قسيمة خصم للطلب القادم.")
    page.select_option("#reply-coupon", str(coupon.id))
    page.click("#reply-send")
    expect(page.locator("#thread-messages .coupon-card")).to_contain_text("DDWLSORRY5")
    make_inbound(
        desk,
        buyer=buyers["Fatima Al-Harbi"],
        order=fatima.order,
        channel="message",
        text="شكرا جزيلا! متى سيصل تقريبا؟",
    )
    expect(page.locator("#thread-messages .msg.from-buyer").last).to_contain_text("شكرا جزيلا")
    expect(page.locator('#thread-messages .msg-text[lang="ar"]').first).to_have_attribute("dir", "rtl")
    expect(page.locator(".queue-list .qrow .due-overdue").first).to_be_visible()
    expect(page.locator("#thread-messages")).not_to_contain_text("عروض الربيع")
    page.set_viewport_size({"width": 1440, "height": 1010})
    page.reload()
    expect(page.locator("#thread-messages .msg")).to_have_count(4)
    page.mouse.move(0, 0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"))

    buyer_tab = page.context.new_page()
    buyer_tab.set_viewport_size({"width": 1100, "height": 900})
    buyer_tab.goto(f"/simulator/{buyers['Fatima Al-Harbi'].external_id}/")
    expect(buyer_tab.locator("#chat-messages .coupon-card")).to_contain_text("DDWLSORRY5")
    expect(buyer_tab.locator("#chat-messages .chat-msg.push")).to_contain_text("عروض الربيع")
    buyer_tab.screenshot(path=str(SCREENSHOTS / "buyer-simulator.png"))
