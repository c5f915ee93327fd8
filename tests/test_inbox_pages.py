"""The browser inbox (queue, thread, order panel, reply box) and the buyer simulator, through Django's test client."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from conversations.models import Conversation, ConversationStatus, Message, SenderKind
from conversations.services import outbound_message_create, reply_send
from tests.factories import make_buyer, make_inbound, make_member, make_order, picture_bytes, picture_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="agent-anna")


@pytest.fixture
def client_for(agent):
    client = Client()
    client.force_login(agent)
    return client


def queue_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="qrow[^"]*"[^>]*data-id="(\d+)"', html)]


def test_inbox_lists_needs_reply_soonest_due_first(store, client_for):
    now = timezone.now()
    late = make_inbound(store, text="Где мой заказ?", sent_at=now - timedelta(hours=30)).conversation
    fresh = make_inbound(store, text="Hola, ¿cuándo llega?", sent_at=now - timedelta(hours=1)).conversation
    middle = make_inbound(store, text="Hello, any news?", sent_at=now - timedelta(hours=21)).conversation

    r = client_for.get(reverse("inbox"))

    assert r.status_code == 200
    html = r.content.decode()
    assert queue_ids(html) == [late.id, middle.id, fresh.id]
    assert "Overdue 6 h 00 min" in html or "Overdue 5 h 59 min" in html
    assert 'class="qdue due-overdue"' in html
    assert 'class="qdue due-soon"' in html  # 21 hours old: under 4 hours left
    assert 'class="qdue due-ok"' in html
    assert 'id="reply-text"' not in html  # no thread open yet


def test_queue_row_shows_buyer_country_channel_language_and_preview(store, client_for):
    buyer = make_buyer(store, name="Fatima Al-Harbi", country="SA", locale="ar_SA")
    make_inbound(store, buyer=buyer, text="مرحبا، متى سيصل طلبي؟", channel="chat")

    html = client_for.get(reverse("inbox")).content.decode()

    row = html[html.index('class="qrow') :]
    row = row[: row.index("</a>")]
    assert "Fatima Al-Harbi" in row
    assert '<span class="cc" title="Country SA">SA</span>' in row
    assert '<span class="chan chan-chat">Chat</span>' in row
    assert '<span class="lang" title="Arabic">ar</span>' in row
    assert '<span class="qpreview" dir="rtl">مرحبا، متى سيصل طلبي؟</span>' in row


def test_queue_row_escapes_each_piece_and_writes_it_in_the_agents_language(store, client_for, agent):
    """The row's sentences are looked up once a page (``conversations.presenters``): each still comes out in the
    active language, the buyer's name escaped inside them, the open row marked and its link keeping the filter."""
    from django.utils import translation
    from django.utils.translation import gettext

    from conversations.services import (
        conversation_assign,
        conversation_snooze,
        conversation_tag_add,
        tag_create,
    )

    buyer = make_buyer(store, name='<b>Zoë & "Co"</b>', country="FR", locale="fr_FR")
    order = make_order(store, buyer, status="in_transit", days_ago=3)
    open_one = make_inbound(store, buyer=buyer, order=order, text="Bonjour", channel="chat").conversation
    conversation_assign(conversation=open_one, assignee_id=agent.pk, acting_user=agent)
    owner = make_member(store, role="owner", username="owner-olga")
    tag_create(store=store, acting_user=owner, name="<refund>")
    conversation_tag_add(conversation=open_one, acting_user=agent, name="<refund>")
    snoozed = make_inbound(store, text="Where is it?", channel="chat").conversation
    conversation_snooze(conversation=snoozed, until=timezone.now() + timedelta(hours=2), acting_user=agent)

    url = reverse("inbox-thread", args=[open_one.id]) + "?channel=chat"
    html = client_for.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    row = html[html.index(f'data-id="{open_one.id}"') - 80 :]
    row = row[: row.index("</a>")]
    with translation.override("zh-hans"):
        select = gettext("Select %(buyer)s") % {"buyer": "&lt;b&gt;Zoë &amp; &quot;Co&quot;&lt;/b&gt;"}
        assigned = gettext("Assigned to %(username)s") % {"username": "agent-anna"}
        chat = gettext("Chat")
    assert select != "Select &lt;b&gt;Zoë &amp; &quot;Co&quot;&lt;/b&gt;"  # the catalogue has it
    assert f'aria-label="{select}"' in html
    assert 'class="qrow selected"' in row
    assert (
        f'href="/inbox/{open_one.id}/?channel=chat"' in row
        and f'hx-get="/inbox/{open_one.id}/?channel=chat"' in row
    )
    assert "<bdi>&lt;b&gt;Zoë &amp; &quot;Co&quot;&lt;/b&gt;</bdi>" in row
    assert f'<span class="chan chan-chat">{chat}</span>' in row
    assert f'<span class="qorder">#{order.external_id}</span>' in row
    assert f'<span class="qassignee" title="{assigned}">agent-anna</span>' in row
    assert '<span class="qtag">&lt;refund&gt;</span>' in row
    snoozed_html = client_for.get(
        reverse("inbox"), {"queue": "snoozed"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    with translation.override("zh-hans"):
        assert f'<span class="qstate">{gettext("snoozed")}</span>' in snoozed_html


def test_queue_filters_by_channel_language_and_queue(store, client_for, agent):
    ru_chat = make_inbound(store, text="Здравствуйте, где моя посылка?", channel="chat").conversation
    es_message = make_inbound(store, text="Hola, ¿dónde está mi pedido?", channel="message").conversation
    answered = make_inbound(store, text="Where is my parcel, please?", channel="comment").conversation
    reply_send(conversation=answered, acting_user=agent, text="It ships tomorrow.")

    def ids(**params):
        return queue_ids(client_for.get(reverse("inbox"), params).content.decode())

    assert set(ids()) == {ru_chat.id, es_message.id}
    assert ids(channel="chat") == [ru_chat.id]
    assert ids(language="es") == [es_message.id]
    assert ids(queue="answered") == [answered.id]
    assert set(ids(queue="all")) == {ru_chat.id, es_message.id, answered.id}
    assert ids(queue="all", channel="comment") == [answered.id]
    assert ids(channel="dispute") == []


def test_queue_tabs_count_each_queue(store, client_for, agent):
    make_inbound(store)
    make_inbound(store)
    done = make_inbound(store).conversation
    reply_send(conversation=done, acting_user=agent, text="Done.")

    html = client_for.get(reverse("inbox")).content.decode()

    counts = dict(re.findall(r'data-queue="(\w+)">[^<]+<span class="count">(\d+)</span>', html))
    assert counts == {
        "needs_reply": "2",
        "answered": "1",
        "all": "3",
        "mine": "0",
        "unassigned": "3",
        "snoozed": "0",
        "resolved": "0",
    }


def test_the_tab_counts_without_filters_count_what_the_filtered_counts_count(store, agent, monkeypatch):
    """Without filters the counts are one statement compiled once (``selectors._unfiltered_counts``); each tab must
    still count what the counts built for filters count: open, overdue, an ended snooze (open again), a snooze still
    running, resolved, answered, the agent's own, a blocked buyer's (left out), and the cap."""
    from conversations import selectors as conversation_selectors
    from conversations.services import (
        buyer_block,
        conversation_assign,
        conversation_resolve,
        conversation_snooze,
    )

    now = timezone.now()
    overdue = make_inbound(store, text="Late", sent_at=now - timedelta(hours=30)).conversation
    mine = make_inbound(store, text="Mine").conversation
    conversation_assign(conversation=mine, assignee_id=agent.pk, acting_user=agent)
    ended = make_inbound(store, text="Snoozed till an hour ago").conversation
    conversation_snooze(conversation=ended, until=now + timedelta(minutes=5), acting_user=agent)
    Conversation.objects.filter(pk=ended.pk).update(snoozed_until=now - timedelta(hours=1))
    later = make_inbound(store, text="Snoozed till tomorrow").conversation
    conversation_snooze(conversation=later, until=now + timedelta(days=1), acting_user=agent)
    resolved = make_inbound(store, text="Resolved").conversation
    conversation_resolve(conversation=resolved, acting_user=agent)
    answered = make_inbound(store, text="Answered").conversation
    reply_send(conversation=answered, acting_user=agent, text="Done.")
    blocked = make_inbound(store, text="Spam").conversation
    buyer_block(store=store, buyer=blocked.buyer, acting_user=agent)
    assert overdue.reply_due_at < now

    expected = {
        "needs_reply": 3,  # the overdue one, the agent's, the ended snooze
        "answered": 2,  # the answered one and the resolved one (resolving leaves it answered)
        "all": 6,  # every one but the blocked buyer's
        "overdue": 1,
        "mine": 1,
        "unassigned": 3,  # open and nobody's: the overdue one, the ended snooze, the answered one
        "snoozed": 1,
        "resolved": 1,
    }
    counted = conversation_selectors.queue_counts(store=store, user=agent)
    qs = conversation_selectors._conversations_filtered(store=store)
    parts = conversation_selectors._tab_count_parts(qs, now=timezone.now(), user=agent)
    built = conversation_selectors.capped_counts({key: qs.filter(part) for key, part in parts.items()})
    assert counted == built == expected
    monkeypatch.setattr(conversation_selectors, "QUEUE_COUNT_CAP", 2)
    capped = conversation_selectors.queue_counts(store=store, user=agent)
    assert capped == {key: min(n, 2) for key, n in counted.items()}


def test_queue_partial_is_what_the_inbox_polls(store, client_for):
    conversation = make_inbound(store, text="Any news?").conversation

    r = client_for.get(reverse("inbox-queue"), HTTP_HX_REQUEST="true")

    assert r.status_code == 200
    html = r.content.decode()
    assert queue_ids(html) == [conversation.id]
    assert 'id="queue-tabs" hx-swap-oob="true"' in html
    assert "<html" not in html


def test_thread_shows_messages_order_and_reply_box(store, client_for, agent):
    buyer = make_buyer(store, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(store, buyer, status="in_transit", days_ago=10)
    conversation = make_inbound(store, order=order, text="Где мой заказ?").conversation
    reply_send(conversation=conversation, acting_user=agent, text="Ваш заказ в пути.", language="ru")
    make_inbound(store, order=order, text="Спасибо! А когда доставят?")

    r = client_for.get(reverse("inbox-thread", args=[conversation.id]))

    assert r.status_code == 200
    html = r.content.decode()
    thread = html[html.index('id="thread-messages"') :]
    assert (
        thread.index("Где мой заказ?")
        < thread.index("Ваш заказ в пути.")
        < thread.index("Спасибо! А когда доставят?")
    )
    assert 'class="msg from-seller sender-agent"' in html
    assert "Agent · agent-anna" in html
    assert f"#{order.external_id}" in html
    assert '<span class="order-status st-in_transit">In transit</span>' in html
    assert "USD 25.00" in html
    assert "50 days left" in html  # protection ends 60 days after placing, placed 10 days ago
    assert 'id="reply-text"' in html and 'id="reply-send"' in html
    assert '<input type="hidden" name="language" value="ru"' in html
    assert 'id="thread-poller"' in html


def test_arabic_and_hebrew_messages_are_right_to_left(store, client_for):
    ar = make_inbound(store, text="مرحبا، أين طلبي؟ لم يصل بعد").conversation
    he = make_inbound(store, text="שלום, איפה ההזמנה שלי? היא עדיין לא הגיעה").conversation
    ko = make_inbound(store, text="안녕하세요, 제 주문은 언제 도착하나요?").conversation

    assert 'dir="rtl" lang="ar"' in client_for.get(reverse("inbox-thread", args=[ar.id])).content.decode()
    assert 'dir="rtl" lang="he"' in client_for.get(reverse("inbox-thread", args=[he.id])).content.decode()
    assert 'dir="ltr" lang="ko"' in client_for.get(reverse("inbox-thread", args=[ko.id])).content.decode()


def test_R10_campaign_pushes_never_show_in_the_seller_thread(store, client_for):
    conversation = make_inbound(store, text="Hello").conversation
    outbound_message_create(
        conversation=conversation,
        sender=SenderKind.CAMPAIGN,
        text="Spring sale: 20% off today",
        buyer_only=True,
    )

    html = client_for.get(reverse("inbox-thread", args=[conversation.id])).content.decode()
    since = client_for.get(
        reverse("inbox-thread-since", args=[conversation.id]), {"after": 0}
    ).content.decode()

    assert "Spring sale" not in html
    assert "Spring sale" not in since
    assert "Hello" in since


def test_pictures_and_coupon_cards_show_in_the_thread(store, client_for, agent):
    from coupons.services import coupon_create

    conversation = make_inbound(store, text="The box arrived broken").conversation
    coupon = coupon_create(
        store=store,
        acting_user=agent,
        values={
            "name_suffix": "SORRY5",
            "denomination": "5",
            "threshold": "30",
            "currency": "USD",
            "quantity": 10,
            "valid_until": (timezone.localdate() + timedelta(days=40)).isoformat(),
        },
    )
    reply_send(
        conversation=conversation,
        acting_user=agent,
        text="Sorry!",
        image=picture_upload(),
        coupon_id=coupon.id,
    )

    html = client_for.get(reverse("inbox-thread", args=[conversation.id])).content.decode()

    assert '<a class="msg-pic" href="/media/messages/' in html
    assert "<strong>DDWLSORRY5</strong>" in html
    assert "USD 5.00<small>off</small>" in html
    assert "On orders over USD 30.00" in html


def test_coupon_picker_lists_attachable_coupons_only_when_there_are_some(store, client_for, agent):
    from coupons.services import coupon_create

    conversation = make_inbound(store).conversation
    url = reverse("inbox-thread", args=[conversation.id])
    assert 'name="coupon_id"' not in client_for.get(url).content.decode()

    coupon = coupon_create(
        store=store,
        acting_user=agent,
        values={
            "name_suffix": "THANKS",
            "denomination": "3",
            "threshold": "0",
            "currency": "USD",
            "quantity": 5,
            "valid_until": (timezone.localdate() + timedelta(days=40)).isoformat(),
        },
    )
    html = client_for.get(url).content.decode()
    assert 'name="coupon_id"' in html
    assert f'<option value="{coupon.id}">DDWLTHANKS · USD 3.00 off, no minimum · 5 left</option>' in html


def test_another_stores_conversation_is_404(store, other_store, client_for):
    foreign = make_inbound(other_store, text="Secret").conversation

    assert client_for.get(reverse("inbox-thread", args=[foreign.id])).status_code == 404
    assert client_for.get(reverse("inbox-thread-since", args=[foreign.id])).status_code == 404
    r = client_for.post(reverse("inbox-reply", args=[foreign.id]), {"text": "hi"})
    assert r.status_code == 404
    assert not Message.objects.filter(conversation=foreign, direction="outbound").exists()


def test_another_stores_buyer_is_404_in_the_simulator(store, other_store, client_for):
    foreign = make_buyer(other_store)

    assert client_for.get(reverse("buyer-simulator-chat", args=[foreign.external_id])).status_code == 404
    r = client_for.post(
        reverse("buyer-simulator-chat", args=[foreign.external_id]), {"channel": "chat", "text": "x"}
    )
    assert r.status_code == 404
    assert not Message.objects.filter(buyer=foreign).exists()


def test_pages_need_a_store_member(store, other_store):
    anonymous = Client()
    assert anonymous.get(reverse("inbox")).status_code == 302
    assert anonymous.get(reverse("buyer-simulator")).status_code == 302


def test_reply_via_page_sends_and_leaves_the_needs_reply_queue(store, client_for):
    conversation = make_inbound(store, text="Где мой заказ?").conversation

    r = client_for.post(
        reverse("inbox-reply", args=[conversation.id]),
        {"text": "Ваш заказ уже в пути.", "language": "ru"},
        HTTP_HX_REQUEST="true",
    )

    assert r.status_code == 200
    assert r["HX-Trigger"] == "thread-changed, queue-changed"
    assert 'id="reply-text"' in r.content.decode() and "Ваш заказ уже в пути." not in r.content.decode()
    reply = Message.objects.get(conversation=conversation, direction="outbound")
    assert (reply.text, reply.language, reply.sender, reply.sent_by.username) == (
        "Ваш заказ уже в пути.",
        "ru",
        "agent",
        "agent-anna",
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED
    assert queue_ids(client_for.get(reverse("inbox")).content.decode()) == []
    since = client_for.get(reverse("inbox-thread-since", args=[conversation.id]), {"after": reply.id - 1})
    assert "Ваш заказ уже в пути." in since.content.decode()
    assert 'id="thread-status" class="thread-status" hx-swap-oob="true"' in since.content.decode()


def test_reply_without_javascript_redirects_back_to_the_thread(store, client_for):
    conversation = make_inbound(store).conversation

    r = client_for.post(
        reverse("inbox-reply", args=[conversation.id]) + "?channel=message", {"text": "On its way."}
    )

    assert r.status_code == 302
    assert r["Location"] == reverse("inbox-thread", args=[conversation.id]) + "?channel=message"
    assert (
        Message.objects.filter(conversation=conversation, direction="outbound", text="On its way.").count()
        == 1
    )


def test_messages_since_returns_nothing_new_as_204(store, client_for):
    result = make_inbound(store)

    r = client_for.get(
        reverse("inbox-thread-since", args=[result.conversation.id]), {"after": result.message.id}
    )

    assert r.status_code == 204


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("notes.jpg", b"this is a text file, not a picture\n" * 20), "not a readable JPG or PNG picture"),
        (
            ("huge.png", picture_bytes("PNG") + b"\0" * (5 * 1024 * 1024 + 1 - len(picture_bytes("PNG")))),
            "5 MB",
        ),
        (("anim.png", picture_bytes("GIF")), "GIF picture by content"),
    ],
    ids=["text-renamed-jpg", "5MB-plus-one-byte", "gif-renamed-png"],
)
def test_R8_bad_picture_is_refused_with_the_error_shown_and_text_kept(store, client_for, upload, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = make_inbound(store).conversation
    name, content = upload
    if name == "huge.png":
        assert len(content) == 5 * 1024 * 1024 + 1

    r = client_for.post(
        reverse("inbox-reply", args=[conversation.id]),
        {"text": "Here is the photo you asked for.", "image": SimpleUploadedFile(name, content)},
        HTTP_HX_REQUEST="true",
    )

    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="reply-image-errors"' in html
    assert message in html
    assert "Here is the photo you asked for.</textarea>" in html
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEEDS_REPLY


def test_text_guard_refusal_shows_next_to_the_box_with_the_suggestion_and_keeps_the_text(
    store, client_for, monkeypatch
):
    from templates_i18n import guard

    def one_hit(text):
        start = text.index("epidemic")
        return [guard.BannedWordHit("epidemic", "epidemic", start, start + 8, "outbreak")]

    monkeypatch.setattr(guard, "text_check", one_hit)
    conversation = make_inbound(store).conversation

    r = client_for.post(
        reverse("inbox-reply", args=[conversation.id]),
        {"text": "Sorry, the epidemic delayed your parcel."},
        HTTP_HX_REQUEST="true",
    )

    html = r.content.decode()
    assert 'id="reply-text-errors"' in html
    assert "“epidemic” (use “outbreak”)" in html
    assert "Sorry, the epidemic delayed your parcel.</textarea>" in html
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()


def test_bad_reply_without_javascript_renders_the_page_with_the_error(store, client_for):
    conversation = make_inbound(store, text="Where is it?").conversation

    r = client_for.post(reverse("inbox-reply", args=[conversation.id]), {"text": "   "})

    assert r.status_code == 400
    html = r.content.decode()
    assert "Write a reply, attach a picture or a coupon." in html
    assert "Where is it?" in html  # the whole thread is still there
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()


def test_reply_assist_hook_is_absent_until_its_url_exists(store, client_for):
    conversation = make_inbound(store).conversation

    html = client_for.get(reverse("inbox-thread", args=[conversation.id])).content.decode()

    try:
        url = reverse("reply-assist", args=[conversation.id])
    except NoReverseMatch:  # until the reply assistant ships
        url = None
    if url is None:
        assert 'id="reply-assist"' not in html
    else:
        assert f'<div id="reply-assist" hx-get="{url}" hx-trigger="load" hx-swap="innerHTML"></div>' in html


def test_workspace_partial_for_htmx_navigation(store, client_for):
    conversation = make_inbound(store, text="Bonjour, où est ma commande ?").conversation

    r = client_for.get(
        reverse("inbox-thread", args=[conversation.id]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="workspace"
    )

    html = r.content.decode()
    assert html.lstrip().startswith('<div id="workspace"')
    assert "Bonjour, où est ma commande ?" in html
    assert 'id="queue-list"' not in html


def test_simulator_picker_lists_the_stores_buyers_only(store, other_store, client_for):
    mine = make_buyer(store, name="Minji Park", country="KR", locale="ko_KR")
    make_inbound(store, buyer=mine, text="안녕하세요")
    make_buyer(other_store, name="Not Mine")

    html = client_for.get(reverse("buyer-simulator")).content.decode()

    assert "Minji Park" in html
    assert reverse("buyer-simulator-chat", args=[mine.external_id]) in html
    assert "Not Mine" not in html


def test_simulator_shows_what_the_buyer_sees_including_campaign_pushes(store, client_for, agent):
    buyer = make_buyer(store, name="Carmen López", country="ES", locale="es_ES")
    conversation = make_inbound(store, buyer=buyer, text="Hola, ¿dónde está mi pedido?").conversation
    reply_send(
        conversation=conversation, acting_user=agent, text="Hola Carmen, ya está en camino.", language="es"
    )
    outbound_message_create(
        conversation=conversation, sender=SenderKind.CAMPAIGN, text="¡Rebajas de primavera!", buyer_only=True
    )

    html = client_for.get(reverse("buyer-simulator-chat", args=[buyer.external_id])).content.decode()

    assert (
        html.index("Hola, ¿dónde está mi pedido?")
        < html.index("Hola Carmen")
        < html.index("¡Rebajas de primavera!")
    )
    assert '<div class="push-label">Store promotion</div>' in html
    assert 'class="chat-msg mine"' in html and 'class="chat-msg theirs"' in html


def test_simulator_posts_a_buyer_message_through_ingest(store, client_for):
    buyer = make_buyer(store, name="Piotr Nowak", country="PL", locale="pl_PL")
    order = make_order(store, buyer)

    r = client_for.post(
        reverse("buyer-simulator-chat", args=[buyer.external_id]),
        {
            "channel": "message",
            "order_id": order.external_id,
            "text": "Dzień dobry, kiedy dotrze moja paczka?",
        },
        HTTP_HX_REQUEST="true",
    )

    assert r.status_code == 200
    assert r["HX-Trigger"] == "chat-changed"
    message = Message.objects.get(buyer=buyer)
    assert message.external_id.startswith("sim-")
    assert (message.direction, message.sender, message.text, message.language) == (
        "inbound",
        "buyer",
        "Dzień dobry, kiedy dotrze moja paczka?",
        "pl",
    )
    conversation = message.conversation
    assert (conversation.channel, conversation.order_id, conversation.status) == (
        "message",
        order.id,
        "needs_reply",
    )
    since = client_for.get(reverse("buyer-simulator-since", args=[buyer.external_id]), {"after": 0})
    assert "Dzień dobry, kiedy dotrze moja paczka?" in since.content.decode()


def test_simulator_refuses_an_empty_message_and_a_foreign_order(store, other_store, client_for):
    buyer = make_buyer(store)
    foreign_order = make_order(other_store)
    url = reverse("buyer-simulator-chat", args=[buyer.external_id])

    empty = client_for.post(url, {"channel": "chat", "text": "  "}, HTTP_HX_REQUEST="true")
    foreign = client_for.post(
        url, {"channel": "chat", "order_id": foreign_order.external_id, "text": "hi"}, HTTP_HX_REQUEST="true"
    )

    assert "Type a message or attach a photo." in empty.content.decode()
    assert "Pick one of this buyer&#x27;s orders, or no order." in foreign.content.decode()
    assert not Message.objects.filter(buyer=buyer).exists()


def test_simulator_new_buyer_starts_a_conversation(store, client_for):
    r = client_for.post(
        reverse("buyer-simulator"),
        {
            "name": "Noa Levi",
            "country": "il",
            "locale": "he_IL",
            "channel": "chat",
            "text": "שלום, יש לי שאלה",
        },
    )

    assert r.status_code == 302
    conversation = Conversation.objects.get(store=store)
    assert (conversation.buyer.name, conversation.buyer.country, conversation.buyer.locale) == (
        "Noa Levi",
        "IL",
        "he_IL",
    )
    assert r["Location"] == reverse("buyer-simulator-chat", args=[conversation.buyer.external_id])
    assert conversation.status == "needs_reply"


def test_inbox_poll_answers_not_modified_until_a_buyer_writes(client, store, clock_within_one_minute):
    agent = make_member(store)
    client.force_login(agent)
    make_inbound(store, text="Where is my parcel?")
    first = client.get(reverse("inbox-queue"))
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    same = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304
    make_inbound(store, text="Hello? Any news about my order?")
    changed = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "Any news about my order?" in changed.content.decode()


def test_inbox_poll_tag_changes_with_the_minute(client, store, monkeypatch):
    """Due times read "in 3 h": the rows are re-rendered once a minute even when nothing else changed."""
    import datetime as dt

    from django.utils import timezone

    client.force_login(make_member(store))
    make_inbound(store, text="Where is my parcel?")
    start = timezone.now().replace(second=1, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: start)
    first = client.get(reverse("inbox-queue"))
    assert client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(minutes=1))
    later = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert later.status_code == 200
    assert later["ETag"] != first["ETag"]


def test_inbox_tab_counts_stop_at_the_cap_and_say_so(client, store, monkeypatch):
    from conversations import selectors as conversation_selectors

    monkeypatch.setattr(conversation_selectors, "QUEUE_COUNT_CAP", 2)
    client.force_login(make_member(store))
    for n in range(3):
        make_inbound(store, buyer=make_buyer(store, name=f"Buyer {n}"), text=f"Question {n}")
    assert conversation_selectors.queue_counts(store=store) == {
        "needs_reply": 2,
        "answered": 0,
        "all": 2,
        "overdue": 0,
        "mine": 0,
        "unassigned": 2,
        "snoozed": 0,
        "resolved": 0,
    }
    assert conversation_selectors.queue_counts(store=store, exact=True)["needs_reply"] == 3
    page = client.get("/inbox/").content.decode()
    assert '<span class="count">2+</span>' in page
